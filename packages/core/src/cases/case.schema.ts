import { z } from 'zod';
import type { BusinessCalendarOptions } from '../calendar/business-calendar.js';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { idSchema, optionalText, timestampSchema } from '../common/zod-helpers.js';
import { caseTypes, type CaseType } from '../contracts/case-types.js';
import type { SlaClock } from '../sla/sla-clock.js';
import type { SlaPriorityTargets } from '../sla/sla.schema.js';
import { caseChannels, casePriorities, type CaseActivityKind, type CaseChannel, type CasePriority, type CaseStatus, type SlaTargetName } from './case-values.js';

/**
 * A case's SLA: the policy's rules and targets as copied when it opened, and
 * the running clock of each target. Policy changes never reach it.
 */
export interface CaseSla {
  /** The policy it was copied from; null when no policy matched (times are still measured). */
  policyId: string | null;
  policyName: string | null;
  businessHours: boolean;
  calendar: BusinessCalendarOptions | null;
  pauseOnHold: boolean;
  warnBeforeMinutes: number | null;
  /** Targets per priority: a priority change measures the running clocks against the new one. */
  targets: SlaPriorityTargets;
  /** Since when the case waits (pending, or on hold when that pauses), if it does. */
  pausedSince: string | null;
  /** Wall-clock time spent paused before `pausedSince`, in ms. */
  pausedMs: number;
  /** The clock of each target; `nextResponse` runs only while a customer message waits for an answer. */
  clocks: Record<SlaTargetName, SlaClock | null>;
}

const caseFields = {
  subject: z.string().trim().min(1).max(500),
  /** Long text, up to the host's `limits.textLength`. */
  description: z.string().max(10_000_000).nullable().optional(),
  contactId: idSchema.nullable().optional(),
  companyId: idSchema.nullable().optional(),
  assetId: idSchema.nullable().optional(),
  contractId: idSchema.nullable().optional(),
  /** @default 'question' */
  type: z.enum(caseTypes).optional(),
  /** @default 'web' */
  channel: z.enum(caseChannels).optional(),
  /** @default 'normal' */
  priority: z.enum(casePriorities).optional(),
  teamId: idSchema.nullable().optional(),
  externalId: optionalText(200),
  ...ownedInputShape,
};

/** Input of `cases.create`. */
export const caseInputSchema = z.strictObject({
  ...caseFields,
  /** When the case opened, for cases entered late. @default now */
  openedAt: timestampSchema.optional(),
});
/** Input of `cases.create`. */
export type CaseInput = z.input<typeof caseInputSchema>;

/** Input of `cases.update`. Status, assignment and responses have their own methods. */
export const casePatchSchema = z.strictObject({
  ...caseFields,
  satisfaction: z.number().int().min(0).max(10).nullable().optional(),
}).omit({ ownerId: true, teamId: true }).partial();
/** Input of `cases.update`. */
export type CasePatch = z.input<typeof casePatchSchema>;

/** A service request. Times are ISO UTC strings; minutes are exact (fractions kept) and net of paused time. */
export interface Case extends OwnedRecord {
  /** Per-tenant sequence from 1, shown `#123`. */
  number: number;
  subject: string;
  description: string | null;
  contactId: string | null;
  companyId: string | null;
  assetId: string | null;
  contractId: string | null;
  type: CaseType;
  channel: CaseChannel;
  priority: CasePriority;
  status: CaseStatus;
  teamId: string | null;
  slaPolicyId: string | null;
  sla: CaseSla;
  openedAt: string;
  firstResponseAt: string | null;
  firstResponseDueAt: string | null;
  nextResponseDueAt: string | null;
  resolutionDueAt: string | null;
  /** The oldest customer message not answered yet, after the first response. */
  awaitingSince: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reopenCount: number;
  /** Wall-clock minutes spent paused (pending, or on hold when the policy pauses then), pauses that ended. */
  pausedMinutes: number;
  firstResponseMinutes: number | null;
  firstResponseBusinessMinutes: number | null;
  resolutionMinutes: number | null;
  resolutionBusinessMinutes: number | null;
  /** Null until known: reached (or overdue when the case was resolved without a response). */
  firstResponseBreached: boolean | null;
  resolutionBreached: boolean | null;
  /** How many next responses came after their target. */
  nextResponseBreaches: number;
  satisfaction: number | null;
  externalId: string | null;
  idempotencyKey: string | null;
}

/** One entry of a case's history: a status change, a response, a message, an SLA warning or breach. */
export interface CaseActivity {
  tenantId: string;
  id: string;
  caseId: string;
  kind: CaseActivityKind;
  /** When it happened (the original time for imported tickets). */
  at: string;
  /** The member who did it, when the tenant scope names one. */
  actorId: string | null;
  fromStatus: CaseStatus | null;
  toStatus: CaseStatus | null;
  interactionId: string | null;
  /** The SLA target a response reached or a warning / breach is about. */
  target: SlaTargetName | null;
  /** How long the customer waited for this response, net of paused time. */
  waitMinutes: number | null;
  businessWaitMinutes: number | null;
  breached: boolean | null;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
