import type { Case, CaseInput, Clock, Contact, Member, TenantScope } from '@crmkit/core';

const minute = 60_000;

/**
 * Calendar-time targets, so that the case queue's countdowns run whenever
 * the demo is started (business hours would freeze them at night and at
 * weekends). Warnings 15 minutes before each due time.
 */
const standardPolicy = {
  name: 'Standard',
  targets: {
    urgent: { firstResponseMinutes: 30, nextResponseMinutes: 30, resolutionMinutes: 240 },
    high: { firstResponseMinutes: 60, nextResponseMinutes: 60, resolutionMinutes: 480 },
    normal: { firstResponseMinutes: 240, nextResponseMinutes: 240, resolutionMinutes: 1_440 },
    low: { firstResponseMinutes: 480, nextResponseMinutes: 480, resolutionMinutes: 2_880 },
  },
  warnBeforeMinutes: 15,
};

/** Cases opened `openedMinutesAgo` before the seed ran: with the targets above, from minutes to breach to hours ahead and overdue. */
const plannedCases: { subject: string; priority: NonNullable<CaseInput['priority']>; channel: NonNullable<CaseInput['channel']>; type: NonNullable<CaseInput['type']>; openedMinutesAgo: number; assigned: boolean; answeredMinutesAgo?: number }[] = [
  { subject: 'Production line stopped: controller offline', priority: 'urgent', channel: 'phone', type: 'incident', openedMinutesAgo: 24, assigned: true },
  { subject: 'Invoice shows the wrong VAT number', priority: 'high', channel: 'email', type: 'question', openedMinutesAgo: 50, assigned: true },
  { subject: 'GTX Pro arrived with a cracked housing', priority: 'normal', channel: 'email', type: 'return', openedMinutesAgo: 250, assigned: true },
  { subject: 'How do I add a second user?', priority: 'normal', channel: 'chat', type: 'question', openedMinutesAgo: 70, assigned: false },
  { subject: 'Installation date for the MG Advanced', priority: 'low', channel: 'web', type: 'installation', openedMinutesAgo: 5, assigned: false },
  { subject: 'Repeated paper jams since the update', priority: 'high', channel: 'phone', type: 'complaint', openedMinutesAgo: 400, assigned: true, answeredMinutesAgo: 380 },
];

/** What {@link seedService} made. */
export interface SeededService {
  policyId: string;
  cases: Case[];
}

/**
 * The service desk's queue: the `Standard` SLA policy and a handful of open
 * cases of the seeded contacts, some minutes from a breach, one overdue, one
 * answered and waiting on its resolution. Call it with the triggers' first
 * pass done, so that the case SLA workflow times their breaches.
 */
export async function seedService(t: TenantScope, input: { agent: Member; teamId: string; contacts: readonly Contact[]; clock: Clock }): Promise<SeededService> {
  const policy = await t.slaPolicies.create(standardPolicy);
  const now = input.clock.now().getTime();
  const cases: Case[] = [];
  for (const [i, planned] of plannedCases.entries()) {
    const contact = input.contacts[(i * 5) % input.contacts.length]!;
    let record = await t.cases.create({
      subject: planned.subject, priority: planned.priority, channel: planned.channel, type: planned.type, contactId: contact.id,
      teamId: input.teamId, openedAt: new Date(now - planned.openedMinutesAgo * minute).toISOString(),
      ...(planned.assigned ? { ownerId: input.agent.id } : {}),
    });
    if (planned.answeredMinutesAgo !== undefined) {
      ({ record } = await t.cases.respond(record.id, { body: 'We are on it: a technician will call you today.', at: new Date(now - planned.answeredMinutesAgo * minute).toISOString() }));
    }
    cases.push(record);
  }
  return { policyId: policy.id, cases };
}
