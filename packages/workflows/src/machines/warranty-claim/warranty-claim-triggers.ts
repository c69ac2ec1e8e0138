import type { AuditChange, Case } from '@crmkit/core';
import { type EventTrigger, onEvent } from '../../triggers/event-trigger.js';
import type { FieldConditions } from '../../triggers/match.js';
import type { WarrantyClaimInput } from './warranty-claim.js';

/** Options of {@link warrantyClaimTriggers}. */
export interface WarrantyClaimTriggerOptions {
  /** @default 'resolved' */
  closeAs?: WarrantyClaimInput['closeAs'];
}

const workflow = 'warranty-claim';

/** An open warranty case about an asset: what a claim is started for. */
const claimable: FieldConditions = { 'record.type': 'warranty_claim', 'record.assetId': { isNull: false }, 'record.status': { notIn: ['resolved', 'closed'] } };

/**
 * Whether the case was claimable before the update: its type and asset as
 * they were, from the changes. A case that was one already has its instance
 * (from its creation or an earlier update), so only a case that becomes one
 * starts a claim.
 */
function wasClaimable(record: Case, changes: AuditChange[]): boolean {
  const before = (field: 'type' | 'assetId') => {
    const change = changes.find((c) => c.field === field);
    return change ? change.from : record[field];
  };
  return before('type') === 'warranty_claim' && before('assetId') != null;
}

/**
 * The triggers of `warranty-claim`: start an instance for every open case of
 * type `warranty_claim` about an asset, when it is created so or becomes so
 * by `cases.update` (its type changed to `warranty_claim`, or the asset of a
 * warranty case given later), with the coverage judged at the case's
 * `openedAt`; and end it on `case.closed`. A case whose type is changed away
 * and back starts a second claim. The agent's decisions (`repair`,
 * `repaired`, `replace`, `approve`, `reject`) come from the host's UI.
 * @example
 * createTriggers(engine, [...warrantyClaimTriggers(), ...satisfactionSurveyTriggers()]);
 */
export function warrantyClaimTriggers(options: WarrantyClaimTriggerOptions = {}): EventTrigger[] {
  const input = (record: Case): WarrantyClaimInput => ({
    // `where` keeps cases without an asset out: the fallback is never used.
    caseId: record.id, assetId: record.assetId ?? '', claimedAt: record.openedAt, ownerId: record.ownerId, number: record.number,
    ...(options.closeAs ? { closeAs: options.closeAs } : {}),
  });
  return [
    onEvent('case.created', { where: claimable, start: workflow, input: (e) => input(e.data.record) }),
    onEvent('case.updated', {
      where: claimable,
      when: (e) => !wasClaimable(e.data.record, e.data.changes),
      start: workflow,
      input: (e) => input(e.data.record),
    }),
    onEvent('case.closed', { signal: { workflow, event: () => ({ type: 'closed' }) } }),
  ];
}
