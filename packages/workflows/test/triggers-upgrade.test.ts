import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, ManualClock } from '@crmkit/core';
import { createTriggers, createWorkflowEngine, followUp, onEvent, queueWorkerMigrations, workflowMigrations } from '@crmkit/workflows';
import BetterSqlite3 from 'better-sqlite3';
import { expect, test } from 'vitest';
import { releaseFile } from '../../core/test/fixtures/release-0.1.0/release.js';

// The trigger the 0.1.0 fixture was filled with (generate.mjs): it fired for all five calls, emails and notes logged then.
const followUpOnLog = onEvent('interaction.logged', {
  start: 'follow-up',
  input: (e) => ({ interaction: { id: e.data.record.id, type: e.data.record.type } }),
});

test('a trigger set of release 0.1.0 continues on the event log after the upgrade, firing nothing again and every new event once', async () => {
  const db = new BetterSqlite3(':memory:');
  db.exec(releaseFile('sqlite', 'schema.sql'));
  db.exec(releaseFile('sqlite', 'data.sql'));
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  expect(count("select count(*) from crmkit_wf_trigger_cursor where cursor_key = 'events'")).toBe(2);
  const fired = count('select count(*) from crmkit_wf_trigger_fire');
  const instances = count('select count(*) from crmkit_wf_instance');

  const clock = new ManualClock('2026-03-05T09:00:00.000Z');
  const crm = await createCrm({ adapter: sqliteAdapter({ database: db }), clock, migrations: [...workflowMigrations, ...queueWorkerMigrations] });
  await crm.migrate();
  const engine = createWorkflowEngine({ crm, workflows: [followUp], clock });
  const triggers = createTriggers(engine, [followUpOnLog]);
  expect(await triggers.runDue()).toMatchObject({ started: 0, failed: 0, duplicates: 5 });
  expect(count("select count(*) from crmkit_wf_trigger_cursor where cursor_key = 'events'")).toBe(0);

  await crm.tenant('acme').interactions.log({ type: 'call', subject: 'After the upgrade' });
  await crm.tenant('initech').interactions.log({ type: 'email', subject: 'A tenant 0.1.0 never watched' });
  expect(await triggers.runDue()).toMatchObject({ started: 2, duplicates: 0 });
  expect(await triggers.runDue()).toMatchObject({ started: 0, duplicates: 0 });
  expect(count('select count(*) from crmkit_wf_trigger_fire')).toBe(fired + 2);
  expect(count('select count(*) from crmkit_wf_instance')).toBe(instances + 2);
  await crm.close();
});
