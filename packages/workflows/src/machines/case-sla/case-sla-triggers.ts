import type { Case } from '@crmkit/core';
import { type EventTrigger, onEvent } from '../../triggers/event-trigger.js';
import type { CaseSlaInput } from './case-sla.js';
import type { CaseSlaTimes } from './sla-times.js';

/** Options of {@link caseSlaTriggers}. */
export interface CaseSlaTriggerOptions {
  /**
   * Minutes from the first escalation to the second.
   * @default 120
   */
  escalateAfterMinutes?: number | null;
}

/** The due times of a case as the `case-sla` events carry them, computed at `at` (the event's `occurredAt`). */
export function caseSlaTimes(record: Case, at: string): CaseSlaTimes {
  return {
    at,
    firstResponseDueAt: record.firstResponseDueAt,
    nextResponseDueAt: record.nextResponseDueAt,
    resolutionDueAt: record.resolutionDueAt,
    warnBeforeMinutes: record.sla.warnBeforeMinutes,
    teamId: record.teamId,
  };
}

const workflow = 'case-sla';

/**
 * The triggers that run `case-sla` for every case: start an instance on
 * `case.created` (an open case: an imported, already resolved ticket needs no
 * timers), and map the case's later events to it: `case.slaChanged` and
 * `case.assigned` -> `sla.updated`, `case.statusChanged` -> `statusChanged`,
 * `case.reopened` -> `reopened`, `case.closed` -> `closed`. Each carries the
 * case's due times as of the event, so the machine never reads the clock.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [caseSla] });
 * createTriggers(engine, [...caseSlaTriggers({ escalateAfterMinutes: 60 }), ...otherTriggers]).start();
 */
export function caseSlaTriggers(options: CaseSlaTriggerOptions = {}): EventTrigger[] {
  return [
    onEvent('case.created', {
      where: { 'record.status': { notIn: ['resolved', 'closed'] } },
      start: workflow,
      input: (e): CaseSlaInput => ({
        caseId: e.data.record.id, number: e.data.record.number, teamId: e.data.record.teamId,
        times: caseSlaTimes(e.data.record, e.occurredAt),
        ...(options.escalateAfterMinutes !== undefined ? { escalateAfterMinutes: options.escalateAfterMinutes } : {}),
      }),
    }),
    onEvent('case.slaChanged', { signal: { workflow, event: (e) => ({ type: 'sla.updated', ...caseSlaTimes(e.data.record, e.occurredAt) }) } }),
    onEvent('case.assigned', { signal: { workflow, event: (e) => ({ type: 'sla.updated', ...caseSlaTimes(e.data.record, e.occurredAt) }) } }),
    onEvent('case.statusChanged', {
      signal: { workflow, event: (e) => ({ type: 'statusChanged', status: e.data.to, ...caseSlaTimes(e.data.record, e.occurredAt) }) },
    }),
    onEvent('case.reopened', { signal: { workflow, event: (e) => ({ type: 'reopened', ...caseSlaTimes(e.data.record, e.occurredAt) }) } }),
    onEvent('case.closed', { signal: { workflow, event: () => ({ type: 'closed' }) } }),
  ];
}
