import { type EventTrigger, onEvent } from '../../triggers/event-trigger.js';
import type { WarrantyClaimInput } from './warranty-claim.js';

/** Options of {@link warrantyClaimTriggers}. */
export interface WarrantyClaimTriggerOptions {
  /** @default 'resolved' */
  closeAs?: WarrantyClaimInput['closeAs'];
}

const workflow = 'warranty-claim';

/**
 * The triggers of `warranty-claim`: start an instance for every new case of
 * type `warranty_claim` about an asset (coverage judged at the case's
 * `openedAt`), and end it on `case.closed`. The agent's decisions (`repair`,
 * `repaired`, `replace`, `approve`, `reject`) come from the host's UI.
 * @example
 * createTriggers(engine, [...warrantyClaimTriggers(), ...satisfactionSurveyTriggers()]);
 */
export function warrantyClaimTriggers(options: WarrantyClaimTriggerOptions = {}): EventTrigger[] {
  return [
    onEvent('case.created', {
      where: { 'record.type': 'warranty_claim', 'record.assetId': { isNull: false }, 'record.status': { notIn: ['resolved', 'closed'] } },
      start: workflow,
      input: (e): WarrantyClaimInput => {
        const record = e.data.record;
        // `where` keeps cases without an asset out: the fallback is never used.
        return {
          caseId: record.id, assetId: record.assetId ?? '', claimedAt: record.openedAt, ownerId: record.ownerId, number: record.number,
          ...(options.closeAs ? { closeAs: options.closeAs } : {}),
        };
      },
    }),
    onEvent('case.closed', { signal: { workflow, event: () => ({ type: 'closed' }) } }),
  ];
}
