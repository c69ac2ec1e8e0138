import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, ManualClock, type PersonalDataHandler } from '@crmkit/core';
import { createWorkflowEngine, defineWorkflow, effect, workflowMigrations, workflowPersonalData } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';

/** Waits for a reply, then greets its subject through an effect that reads the subject. */
const nurture = defineWorkflow({
  id: 'nurture',
  version: 1,
  machine: setup({ types: {} as { events: { type: 'replied' } }, actions: { greet: effect() } }).createMachine({
    id: 'nurture',
    initial: 'waiting',
    states: { waiting: { on: { replied: 'greeted' } }, greeted: { entry: [{ type: 'greet', params: {} }] } },
  }),
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function setupCrm(personalData: PersonalDataHandler[]) {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const crm = await createCrm({ adapter: sqliteAdapter({ filename: ':memory:' }), clock, migrations: workflowMigrations, personalData });
  await crm.migrate();
  close = () => crm.close();
  const greeted: unknown[] = [];
  const engine = createWorkflowEngine({ crm, clock, workflows: [nurture], actions: { greet: (ctx) => void greeted.push(ctx.subject) } });
  return { crm, engine, greeted, t: crm.tenant('acme') };
}

describe('merges and workflow subjects', () => {
  it('moves the instances about merged contacts to the survivor, which they go on acting on', async () => {
    const { engine, greeted, t } = await setupCrm([workflowPersonalData]);
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const copy = await t.contacts.create({ firstName: 'Ada', email: 'ada@old.io' });
    const bob = await t.contacts.create({ firstName: 'Bob', email: 'bob@x.io' });
    const moved = await engine.start('acme', 'nurture', { subject: { type: 'contact', id: copy.id } });
    const kept = await engine.start('acme', 'nurture', { subject: { type: 'contact', id: ada.id } });
    const other = await engine.start('acme', 'nurture', { subject: { type: 'contact', id: bob.id } });

    const result = await t.duplicates.merge({ entity: 'contact', survivorId: ada.id, mergedIds: [copy.id] });

    expect(result.relinked).toMatchObject({ 'workflowInstance.subjectId': 1 });
    expect((await engine.instancesOf('acme', { type: 'contact', id: ada.id })).map((i) => i.id).sort()).toEqual([moved.id, kept.id].sort());
    expect(await engine.instancesOf('acme', { type: 'contact', id: copy.id })).toEqual([]);
    expect((await engine.get('acme', other.id)).subject).toEqual({ type: 'contact', id: bob.id });
    // The moved instance runs on, and its effect sees the survivor.
    await engine.send('acme', moved.id, { type: 'replied' });
    await engine.runDue();
    expect(await engine.get('acme', moved.id)).toMatchObject({ state: 'greeted', subject: { type: 'contact', id: ada.id } });
    expect(greeted).toEqual([{ type: 'contact', id: ada.id }]);
  });

  it('moves the instances about merged companies, and only those', async () => {
    const { engine, t } = await setupCrm([workflowPersonalData]);
    const acme = await t.companies.create({ name: 'Acme', domain: 'acme.io' });
    const copy = await t.companies.create({ name: 'Acme Inc' });
    const about = await engine.start('acme', 'nurture', { subject: { type: 'company', id: copy.id } });
    const globex = await t.companies.create({ name: 'Globex' });
    const other = await engine.start('acme', 'nurture', { subject: { type: 'company', id: globex.id } });

    const result = await t.duplicates.merge({ entity: 'company', survivorId: acme.id, mergedIds: [copy.id] });

    expect(result.relinked).toMatchObject({ 'workflowInstance.subjectId': 1 });
    expect((await engine.get('acme', about.id)).subject).toEqual({ type: 'company', id: acme.id });
    expect((await engine.get('acme', other.id)).subject).toEqual({ type: 'company', id: globex.id });
  });

  it('rolls the merge back when a handler cannot relink', async () => {
    const failing: PersonalDataHandler = {
      name: 'failing', export: async () => null, erase: async () => ({}),
      relink: async () => {
        throw new Error('relink failed');
      },
    };
    const { engine, t } = await setupCrm([workflowPersonalData, failing]);
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const copy = await t.contacts.create({ firstName: 'Ada', email: 'ada@old.io' });
    const about = await engine.start('acme', 'nurture', { subject: { type: 'contact', id: copy.id } });

    await expect(t.duplicates.merge({ entity: 'contact', survivorId: ada.id, mergedIds: [copy.id] })).rejects.toThrow('relink failed');

    expect((await t.contacts.get(copy.id)).id).toBe(copy.id);
    expect((await engine.get('acme', about.id)).subject).toEqual({ type: 'contact', id: copy.id });
  });
});
