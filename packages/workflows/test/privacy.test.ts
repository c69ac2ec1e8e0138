import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, ManualClock } from '@crmkit/core';
import { createWorkflowEngine, defineWorkflow, effect, instanceModel, jobModel, stepModel, timerModel, workflowMigrations, workflowPersonalData } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, raise, setup } from 'xstate';
import { minute } from './helpers.js';

type Input = { email: string; name: string };

/** Copies the person into its context, a job's params, a pending timer's event and its history. */
const welcome = defineWorkflow({
  id: 'welcome',
  version: 1,
  machine: setup({
    types: {} as { input: Input; context: Input & { reminded: string | null; note: string | null }; events: { type: 'remind' | 'note'; text: string } },
    actions: { mail: effect<{ to: string }>() },
    delays: { later: 30 * minute },
  }).createMachine({
    id: 'welcome',
    initial: 'waiting',
    context: ({ input }) => ({ ...input, reminded: null, note: null }),
    states: {
      waiting: {
        entry: [{ type: 'mail', params: ({ context }) => ({ to: context.email }) }, raise(({ context }) => ({ type: 'remind' as const, text: `Remind ${context.name}` }), { delay: 'later', id: 'later' })],
        on: { remind: { target: 'reminded', actions: assign({ reminded: ({ event }) => event.text }) }, note: { actions: assign({ note: ({ event }) => event.text }) } },
      },
      reminded: {},
    },
  }),
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function setupCrm(registered: boolean) {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const adapter = sqliteAdapter({ filename: ':memory:' });
  const crm = await createCrm({ adapter, clock, migrations: workflowMigrations, ...(registered ? { personalData: [workflowPersonalData] } : {}) });
  await crm.migrate();
  close = () => crm.close();
  const mailed: string[] = [];
  const engine = createWorkflowEngine({ crm, clock, workflows: [welcome], actions: { mail: (ctx) => void mailed.push((ctx.params as { to: string }).to) } });
  const t = crm.tenant('acme');
  const ada = await t.contacts.create({ firstName: 'Adalind', lastName: 'Quenby', email: 'adalind@example.org' });
  const bob = await t.contacts.create({ firstName: 'Bob', email: 'bob@example.net' });
  const pipeline = await t.pipelines.create({ name: 'Sales', stages: [{ name: 'Open' }, { name: 'Won', category: 'won' }] });
  const deal = await t.deals.create({ title: 'Renewal', pipelineId: pipeline.id, contactIds: [ada.id] });
  // About the person through their deal, not as subject contact: still theirs.
  const about = await engine.start('acme', 'welcome', { subject: { type: 'deal', id: deal.id }, input: { email: ada.email!, name: 'Adalind Quenby' } });
  const other = await engine.start('acme', 'welcome', { subject: { type: 'contact', id: bob.id }, input: { email: bob.email!, name: 'Bob' } });
  await engine.send('acme', about.id, { type: 'note', text: 'Adalind asked for a call' });
  return { crm, clock, engine, adapter, t, ada, about, other, mailed };
}

describe('workflow personal data', () => {
  it('scrubs the snapshots, history, timers and jobs of the instances about the person, and only those', async () => {
    const { clock, engine, adapter, t, ada, about, other, mailed } = await setupCrm(true);
    const raw = (table: string) => JSON.stringify(adapter.database.prepare(`select * from "${table}"`).all());
    for (const table of [instanceModel.table, stepModel.table, timerModel.table, jobModel.table]) expect(raw(table).toLowerCase()).toContain('adalind');

    const erasure = await t.privacy.erase(ada.id);

    for (const table of [instanceModel.table, stepModel.table, timerModel.table, jobModel.table]) {
      expect(raw(table).toLowerCase()).not.toContain('adalind');
      expect(raw(table).toLowerCase()).not.toContain('quenby');
    }
    expect(erasure.counts).toMatchObject({ crmkit_wf_instance: 1, crmkit_wf_step: 1, crmkit_wf_timer: 1, crmkit_wf_job: 1 });
    expect((await engine.get('acme', about.id)).context).toEqual({ email: '[erased]', name: '[erased]', reminded: null, note: '[erased] asked for a call' });
    expect((await engine.get('acme', other.id)).context).toEqual({ email: 'bob@example.net', name: 'Bob', reminded: null, note: null });
    // The rewritten instance runs on: its pending job and timer are delivered as scrubbed.
    await engine.runDue();
    expect(mailed.sort()).toEqual(['[erased]', 'bob@example.net']);
    clock.advance(30 * minute);
    await engine.runDue();
    expect(await engine.get('acme', about.id)).toMatchObject({ state: 'reminded', context: { reminded: 'Remind [erased]' } });
    expect(await engine.get('acme', other.id)).toMatchObject({ state: 'reminded', context: { reminded: 'Remind Bob' } });
  });

  it('exports the instances about the person with their history, timers and jobs', async () => {
    const { t, ada, about } = await setupCrm(true);
    const doc = await t.privacy.export(ada.id);
    expect(doc.extensions.workflows).toEqual({
      instances: [expect.objectContaining({ id: about.id, workflowId: 'welcome', subject: { type: 'deal', id: expect.any(String) }, context: { email: 'adalind@example.org', name: 'Adalind Quenby', reminded: null, note: 'Adalind asked for a call' } })],
      steps: [expect.objectContaining({ instanceId: about.id, eventType: 'xstate.init' }), expect.objectContaining({ eventType: 'note', event: { type: 'note', text: 'Adalind asked for a call' } })],
      timers: [expect.objectContaining({ instanceId: about.id, event: { type: 'remind', text: 'Remind Adalind Quenby' } })],
      jobs: [expect.objectContaining({ instanceId: about.id, action: 'mail', params: { to: 'adalind@example.org' }, status: 'pending' })],
    });
  });

  it('is left alone by a CRM it was not registered with', async () => {
    const { t, ada, engine, about } = await setupCrm(false);
    const erasure = await t.privacy.erase(ada.id);
    expect(Object.keys(erasure.counts).some((table) => table.startsWith('crmkit_wf_'))).toBe(false);
    expect((await engine.get('acme', about.id)).context).toMatchObject({ email: 'adalind@example.org' });
    expect((await t.privacy.export(ada.id)).extensions).toEqual({});
  });
});
