import type { Case } from '../cases/case.schema.js';
import { slaTargetNames } from '../cases/case-values.js';
import type { CaseSlaState, SlaTargetState } from './customer-view.schema.js';

/**
 * Where an open case's SLA targets stand at `now`, from the clocks the case
 * keeps: a target is breached once reached late, or while it runs past its
 * due time (before the workflow timer has recorded the breach).
 */
export function slaStateOf(record: Case, now: string): CaseSlaState {
  const targets = Object.fromEntries(slaTargetNames.map((name): [string, SlaTargetState] => {
    const clock = record.sla.clocks[name];
    if (clock === null || clock === undefined) return [name, { dueAt: null, state: null, breached: false }];
    const breached = clock.state === 'breached' || (clock.state === 'running' && clock.dueAt !== null && clock.dueAt <= now);
    return [name, { dueAt: clock.dueAt, state: clock.state, breached }];
  })) as CaseSlaState['targets'];
  return {
    case: record,
    paused: record.sla.pausedSince !== null,
    targets,
    breached: Object.values(targets).some((t) => t.breached) || record.nextResponseBreaches > 0,
  };
}
