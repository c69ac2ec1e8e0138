import { type Case, type SlaClock, slaTargetNames } from '@crmkit/core';
import type { CaseSlaView } from './cases.schemas.js';

type TargetView = CaseSlaView['targets']['firstResponse'];

const MINUTE = 60_000;

/** A target without a clock: `nextResponse` between customer messages, or a case opened before it measured it. */
const unmeasured: TargetView = { measured: false, state: null, running: false, targetMinutes: null, dueAt: null, reachedAt: null, elapsedMinutes: 0, breached: false };

/**
 * One clock at `now`. A running clock past its due time counts as breached
 * at once: the workflow timer that records the breach (`recordSlaEvent`) may
 * not have fired yet, and a client must not see a late case as on time.
 */
function targetView(clock: SlaClock, now: string): TargetView {
  const running = clock.state === 'running' && clock.runningSince !== null;
  const elapsedMs = clock.elapsedMs + (running ? Math.max(0, Date.parse(now) - Date.parse(clock.runningSince!)) : 0);
  return {
    measured: true,
    state: clock.state,
    running,
    targetMinutes: clock.targetMinutes,
    dueAt: clock.dueAt,
    reachedAt: clock.reachedAt,
    elapsedMinutes: elapsedMs / MINUTE,
    breached: clock.state === 'breached' || (running && clock.dueAt !== null && clock.dueAt <= now),
  };
}

/**
 * The SLA view of a case at `now`, read from the case record alone: the
 * clocks crmkit keeps in its `sla` column (state, time counted, due time)
 * and the breach figures it stores on the record. Nothing is written; the
 * due times are crmkit's, computed when the clocks last changed.
 */
export function caseSlaView(record: Case, now: string): CaseSlaView {
  const targets = Object.fromEntries(slaTargetNames.map((name) => {
    const clock = record.sla.clocks[name];
    return [name, clock ? targetView(clock, now) : unmeasured];
  })) as CaseSlaView['targets'];
  return {
    caseId: record.id,
    status: record.status,
    at: now,
    policy: record.sla.policyId === null ? null : { id: record.sla.policyId, name: record.sla.policyName },
    businessHours: record.sla.businessHours,
    paused: record.sla.pausedSince !== null,
    pausedSince: record.sla.pausedSince,
    pausedMinutes: record.pausedMinutes,
    awaitingSince: record.awaitingSince,
    targets,
    breaches: { firstResponse: record.firstResponseBreached, resolution: record.resolutionBreached, nextResponses: record.nextResponseBreaches },
    breached: Object.values(targets).some((t) => t.breached) || record.nextResponseBreaches > 0,
  };
}
