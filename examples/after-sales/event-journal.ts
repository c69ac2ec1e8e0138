import type { CrmEvent, TenantScope } from '@crmkit/core';

/** One committed event, as the journal keeps it. */
export interface JournalEntry {
  type: string;
  occurredAt: string;
  /** For SLA events: which target of which case. */
  sla?: { caseNumber: number; target: string; dueAt: string };
}

/** Listens to every committed event of a tenant and keeps the ones of the run, in order. */
export class EventJournal {
  readonly entries: JournalEntry[] = [];
  readonly #off: () => void;

  constructor(t: TenantScope) {
    this.#off = t.events.on('*', (event) => void this.entries.push(entryOf(event)));
  }

  /** How many events of each type were committed. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { type } of this.entries) counts[type] = (counts[type] ?? 0) + 1;
    return counts;
  }

  /** Stops listening. */
  stop(): void {
    this.#off();
  }
}

function entryOf(event: CrmEvent): JournalEntry {
  if (event.type === 'case.slaWarning' || event.type === 'case.slaBreached') {
    const { record, target, dueAt } = (event as CrmEvent<'case.slaWarning'>).data;
    return { type: event.type, occurredAt: event.occurredAt, sla: { caseNumber: record.number, target, dueAt } };
  }
  return { type: event.type, occurredAt: event.occurredAt };
}
