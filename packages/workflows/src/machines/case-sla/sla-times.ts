/** The SLA targets of a case, each with its own due time and timers. */
export const slaTargets = ['firstResponse', 'nextResponse', 'resolution'] as const;

/** One SLA target of a case: `firstResponse`, `nextResponse` or `resolution`. */
export type SlaTarget = (typeof slaTargets)[number];

/**
 * The due times of a case as the core computed them, and when. Every event of
 * the `case-sla` workflow that comes from the case carries them, so the
 * machine re-syncs on each and computes its delays as `dueAt - at`: it never
 * reads a clock.
 */
export interface CaseSlaTimes {
  /** When these due times were computed (the domain event's `occurredAt`), ISO. */
  at: string;
  /** ISO; null while paused, once reached, or without a target. */
  firstResponseDueAt: string | null;
  /** ISO; null while paused, once reached, or without a target. */
  nextResponseDueAt: string | null;
  /** ISO; null while paused, once reached, or without a target. */
  resolutionDueAt: string | null;
  /** How long before each due time the warning comes; null or 0 for none. */
  warnBeforeMinutes: number | null;
  /** The case's team, whose manager gets the first escalation (omitted: unchanged). */
  teamId?: string | null;
}

/** The due-time field of each target in {@link CaseSlaTimes} (and on the case record). */
export const dueField = {
  firstResponse: 'firstResponseDueAt',
  nextResponse: 'nextResponseDueAt',
  resolution: 'resolutionDueAt',
} as const satisfies Record<SlaTarget, keyof CaseSlaTimes>;

/** Words for task titles. */
export const targetLabel: Record<SlaTarget, string> = {
  firstResponse: 'first response',
  nextResponse: 'next response',
  resolution: 'resolution',
};

/** Whether a value carries due times (events without them leave the timers alone). */
export function hasTimes(value: object): value is CaseSlaTimes {
  return typeof (value as { at?: unknown }).at === 'string' && slaTargets.every((target) => dueField[target] in value);
}

/** Milliseconds from `at` to `dueAt` less `beforeMs`, never negative (a moment already past fires at once). */
export function msUntil(dueAt: string | null, at: string, beforeMs = 0): number {
  if (dueAt === null) return 0;
  return Math.max(0, Date.parse(dueAt) - beforeMs - Date.parse(at));
}
