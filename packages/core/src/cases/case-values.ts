/** Channels a case arrives by. */
export const caseChannels = ['phone', 'email', 'sms', 'chat', 'social', 'web', 'visit'] as const;
/** One of {@link caseChannels}. */
export type CaseChannel = (typeof caseChannels)[number];

/**
 * Channels whose messages carry no threading headers (no `In-Reply-To`, no
 * subject to hold a `#123`): `cases.ingest` threads a message on one of them
 * onto the sender's most recent case on the same channel that is not
 * resolved or closed, as messaging desks keep one conversation per customer
 * and channel. Email and web messages thread only by `inReplyTo` or a case
 * reference in the subject.
 */
export const unthreadedChannels = ['sms', 'chat', 'social'] as const satisfies readonly CaseChannel[];

/** Priorities of a case, lowest first; SLA targets are given per priority. */
export const casePriorities = ['low', 'normal', 'high', 'urgent'] as const;
/** One of {@link casePriorities}. */
export type CasePriority = (typeof casePriorities)[number];

/**
 * Statuses of a case. `pending` waits on the customer (SLA clocks pause);
 * `on_hold` waits on a third party (clocks pause when the policy says so).
 */
export const caseStatuses = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed'] as const;
/** One of {@link caseStatuses}. */
export type CaseStatus = (typeof caseStatuses)[number];

/** What a case history entry records. */
export const caseActivityKinds = [
  'opened', 'status', 'response', 'customer_message', 'assigned', 'priority', 'sla_warning', 'sla_breached', 'reopened', 'satisfaction',
] as const;
/** One of {@link caseActivityKinds}. */
export type CaseActivityKind = (typeof caseActivityKinds)[number];

/** The SLA targets a case is measured against. */
export const slaTargetNames = ['firstResponse', 'nextResponse', 'resolution'] as const;
/** One of {@link slaTargetNames}. */
export type SlaTargetName = (typeof slaTargetNames)[number];
