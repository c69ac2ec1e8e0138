import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, type CrmOptions, createCrm, ManualClock } from '@crmkit/core';

/** A migrated CRM on an in-memory SQLite database with a manual clock. */
export async function testCrm(options: Partial<CrmOptions> = {}): Promise<{ crm: Crm; clock: ManualClock; adapter: ReturnType<typeof sqliteAdapter> }> {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const adapter = sqliteAdapter({ filename: ':memory:' });
  const crm = await createCrm({ adapter, clock, ...options });
  await crm.migrate();
  return { crm, clock, adapter };
}

/** A pipeline most tests use. */
export const salesStages = [
  { name: 'Qualification' },
  { name: 'Proposal' },
  { name: 'Negotiation' },
  { name: 'Won', category: 'won' as const },
  { name: 'Lost', category: 'lost' as const },
];

const hour = 3_600_000;
export { hour };
