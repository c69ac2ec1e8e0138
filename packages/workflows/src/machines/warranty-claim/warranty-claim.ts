import { assign, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { CreateTaskParams } from '../../effects/create-task-once.js';
import { effect } from '../../effects/effect.js';
import type { ReplaceAssetParams, SetAssetStatusParams } from '../../effects/asset-status.js';
import type { SetCaseStatusParams } from '../../effects/case-status.js';
import type { CheckCoverageParams } from '../../effects/coverage.js';

/** Input of the `warranty-claim` workflow (subject: the case, of type `warranty_claim`). */
export interface WarrantyClaimInput {
  caseId: string;
  /** The asset claimed for. */
  assetId: string;
  /** When the fault was reported (the case's `openedAt`): coverage is judged at that moment, ISO. */
  claimedAt: string;
  /** The agent handling the claim (the case owner): gets the tasks. */
  ownerId?: string | null;
  /** The case number, for task titles. */
  number?: number | null;
  /**
   * The coverage, when the host already knows it; without it the
   * `checkCoverage` effect asks `contracts.isCovered` and replies with it.
   */
  covered?: boolean;
  /**
   * The status the case is given once the asset is repaired or replaced.
   * A `resolved` case starts the `satisfaction-survey` workflow through its trigger.
   * @default 'resolved'
   */
  closeAs?: 'resolved' | 'closed';
}

/** Events of the `warranty-claim` workflow. */
export type WarrantyClaimEvent =
  /** The coverage at `claimedAt` (the reply of `checkCoverage`, or sent by the host). */
  | { type: 'coverageChecked'; covered: boolean; contractIds?: string[] }
  /** The agent approves the claim whatever the coverage (goodwill) or rejects it. */
  | { type: 'approve'; by?: string; reason?: string }
  | { type: 'reject'; by?: string; reason?: string }
  /** The agent sends the asset to repair, then reports it repaired. */
  | { type: 'repair'; by?: string }
  | { type: 'repaired'; by?: string }
  /** The agent replaces the asset; the new unit takes over the coverage. */
  | { type: 'replace'; serialNumber?: string | null; by?: string }
  /** The case was closed (`case.closed`): the instance ends wherever it is. */
  | { type: 'closed' };

/** Context of the `warranty-claim` workflow. */
export interface WarrantyClaimContext {
  caseId: string;
  assetId: string;
  claimedAt: string;
  ownerId: string | null;
  number: number | null;
  closeAs: 'resolved' | 'closed';
  /** The coverage found at `claimedAt`; null until checked. */
  covered: boolean | null;
  /** The contracts that cover the claim. */
  contractIds: string[];
  decision: 'approved' | 'rejected' | null;
  /** Why the agent overrode the coverage, when they did. */
  reason: string | null;
  outcome: 'repaired' | 'replaced' | null;
}

type Args = { context: WarrantyClaimContext; event: WarrantyClaimEvent };

const claim = (context: WarrantyClaimContext) => (context.number !== null ? `the warranty claim of case #${context.number}` : 'the warranty claim');

const ownerTask = (title: (context: WarrantyClaimContext) => string) => ({
  type: 'createTask',
  params: ({ context }: Args): CreateTaskParams => ({ title: title(context), assigneeId: context.ownerId, linkToSubject: true }),
}) as const;

const assetStatus = (status: SetAssetStatusParams['status']) => ({
  type: 'setAssetStatus',
  params: ({ context }: Args): SetAssetStatusParams => ({ assetId: context.assetId, status }),
}) as const;

/**
 * The warranty claim statechart: `checking` (the `checkCoverage` effect, whose
 * reply is `coverageChecked`; skipped when the input gives `covered`) ->
 * `approved` when covered, else `rejected` (a task to tell the customer; the
 * agent may still `approve`). From `approved`: `repair` -> `repairing` (asset
 * `in_repair`) -> `repaired` -> `fulfilled`; or `replace` -> `fulfilled` (the
 * asset replaced by a new unit). `fulfilled` (final) gives the case `closeAs`.
 * `closed` (final) ends it from anywhere when the case is closed.
 */
export const warrantyClaimMachine = setup({
  types: {} as { context: WarrantyClaimContext; input: WarrantyClaimInput; events: WarrantyClaimEvent },
  actions: {
    checkCoverage: effect<CheckCoverageParams>(),
    createTask: effect<CreateTaskParams>(),
    setAssetStatus: effect<SetAssetStatusParams>(),
    replaceAsset: effect<ReplaceAssetParams>(),
    setCaseStatus: effect<SetCaseStatusParams>(),
    takeCoverage: assign(({ event }) => (event.type === 'coverageChecked' ? { covered: event.covered, contractIds: event.contractIds ?? [] } : {})),
    approve: assign(({ event }) => ({ decision: 'approved' as const, reason: event.type === 'approve' ? event.reason ?? null : null })),
    reject: assign(({ event }) => ({ decision: 'rejected' as const, reason: event.type === 'reject' ? event.reason ?? null : null })),
    markRepaired: assign({ outcome: 'repaired' as const }),
    markReplaced: assign({ outcome: 'replaced' as const }),
  },
  guards: {
    isCovered: ({ event }) => event.type === 'coverageChecked' && event.covered,
    knownCovered: ({ context }) => context.covered === true,
    knownNotCovered: ({ context }) => context.covered === false,
  },
}).createMachine({
  id: 'warranty-claim',
  context: ({ input }) => ({
    caseId: input.caseId,
    assetId: input.assetId,
    claimedAt: input.claimedAt,
    ownerId: input.ownerId ?? null,
    number: input.number ?? null,
    closeAs: input.closeAs ?? 'resolved',
    covered: input.covered ?? null,
    contractIds: [],
    decision: null,
    reason: null,
    outcome: null,
  }),
  initial: 'deciding',
  on: { closed: '.closed' },
  states: {
    deciding: {
      always: [
        { guard: 'knownCovered', target: 'approved', actions: 'approve' },
        { guard: 'knownNotCovered', target: 'rejected', actions: 'reject' },
        { target: 'checking' },
      ],
    },
    checking: {
      entry: {
        type: 'checkCoverage',
        params: ({ context }: Args): CheckCoverageParams => ({ assetId: context.assetId, at: context.claimedAt, caseType: 'warranty_claim' }),
      },
      on: {
        coverageChecked: [
          { guard: 'isCovered', target: 'approved', actions: ['takeCoverage', 'approve'] },
          { target: 'rejected', actions: ['takeCoverage', 'reject'] },
        ],
        approve: { target: 'approved', actions: 'approve' },
        reject: { target: 'rejected', actions: 'reject' },
      },
    },
    approved: {
      entry: ownerTask((context) => `Repair or replace the asset of ${claim(context)}`),
      on: {
        repair: 'repairing',
        replace: {
          target: 'fulfilled',
          actions: ['markReplaced', {
            type: 'replaceAsset',
            params: ({ context, event }: Args): ReplaceAssetParams => ({ assetId: context.assetId, serialNumber: event.type === 'replace' ? event.serialNumber ?? null : null }),
          }],
        },
      },
    },
    rejected: {
      entry: ownerTask((context) => `Tell the customer why ${claim(context)} is not covered`),
      on: { approve: { target: 'approved', actions: 'approve' } },
    },
    repairing: {
      entry: assetStatus('in_repair'),
      on: { repaired: { target: 'fulfilled', actions: ['markRepaired', assetStatus('active')] } },
    },
    // The claim was honoured (repaired or replaced): the case is resolved, or closed as `closeAs` says.
    fulfilled: {
      type: 'final',
      entry: { type: 'setCaseStatus', params: ({ context }: Args): SetCaseStatusParams => ({ caseId: context.caseId, status: context.closeAs }) },
    },
    // The case was closed (`case.closed`) before the claim was fulfilled.
    closed: { type: 'final' },
  },
});

/**
 * Warranty claims: checks the asset's coverage when the fault was reported,
 * approves or rejects the claim, follows the repair or the replacement and
 * resolves the case, whose `case.resolved` then starts the satisfaction survey.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [warrantyClaim] });
 * createTriggers(engine, warrantyClaimTriggers());
 * await engine.send('acme', run.id, { type: 'replace', serialNumber: 'SN-2' });
 */
export const warrantyClaim = defineWorkflow({ id: 'warranty-claim', version: 1, machine: warrantyClaimMachine });
