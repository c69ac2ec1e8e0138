import { effect, defineWorkflow } from '@crmkit/workflows';
import { setup } from 'xstate';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from './helpers.js';

/** One transition that creates a task and logs a note, then waits. */
const noter = defineWorkflow({
  id: 'noter',
  version: 1,
  machine: setup({
    types: {} as { input: { contactId: string } },
    actions: { createTask: effect(), logInteraction: effect(), assignOwner: effect() },
  }).createMachine({
    id: 'noter',
    initial: 'waiting',
    states: {
      waiting: {
        entry: [
          { type: 'createTask', params: { title: 'Call back', linkToSubject: true } },
          { type: 'logInteraction', params: { type: 'note', subject: 'Started' } },
        ],
      },
    },
  }),
});

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => env?.crm.close());

describe('built-in effects', () => {
  it('keep their idempotency key out of custom fields, so a strict host schema takes them and a retry creates nothing twice', async () => {
    env = await testEngine({
      workflows: [noter],
      customFields: { task: z.strictObject({ region: z.string().optional() }), interaction: z.strictObject({}) },
    });
    const t = env.crm.tenant('acme');
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const run = await env.engine.start('acme', 'noter', { subject: { type: 'contact', id: ada.id }, input: { contactId: ada.id } });
    expect(await env.engine.runDue()).toMatchObject({ jobsDone: 2, jobsFailed: 0 });
    const [task] = (await t.tasks.list()).items;
    expect(task).toMatchObject({ linkedType: 'contact', linkedId: ada.id, custom: {}, idempotencyKey: `${run.id}:1:0` });
    // A retried job (the effect ran, its outcome was lost) runs the handler again: nothing new.
    const [job] = await env.engine.storage.findMany({ model: (await import('@crmkit/workflows')).jobModel, tenantId: 'acme', where: { action: 'createTask' } });
    await env.engine.storage.update({ model: (await import('@crmkit/workflows')).jobModel, tenantId: 'acme', id: job!.id as string, data: { status: 'pending', leasedUntil: null } });
    await env.engine.runDue();
    expect((await t.tasks.list()).items).toHaveLength(1);
    expect((await t.interactions.list()).items).toHaveLength(1);
  });

  it('assign an owner to any entity the registry marks ownable, and refuse others', async () => {
    env = await testEngine({ workflows: [noter] });
    const t = env.crm.tenant('acme');
    const rep = await t.members.create({ name: 'Rep' });
    const team = await t.teams.create({ name: 'West' });
    const { builtinEffects } = await import('@crmkit/workflows');
    const context = (subject: { type: string; id: string }) => ({
      tenant: t, tenantId: 'acme', instanceId: 'i', workflowId: 'w', subject, params: { ownerId: rep.id }, idempotencyKey: 'k', attempt: 1, now: new Date(),
    });
    await builtinEffects.assignOwner!(context({ type: 'team', id: team.id }));
    expect((await t.teams.get(team.id)).ownerId).toBe(rep.id);
    await expect(Promise.resolve(builtinEffects.assignOwner!(context({ type: 'stage', id: 'x' })))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('task reminders in workflow workers', () => {
  it('are delivered by every delivery pass, once, so a trigger on task.reminderDue can act on them', async () => {
    env = await testEngine({ workflows: [noter] });
    const t = env.crm.tenant('acme');
    const task = await t.tasks.create({ title: 'Call', remindAt: new Date(env.clock.now().getTime() + 60_000) });
    expect(await env.engine.runDue()).toMatchObject({ remindersSent: 0 });
    env.clock.advance(60_000);
    expect(await env.engine.runDue()).toMatchObject({ remindersSent: 1 });
    expect(await env.engine.runDue()).toMatchObject({ remindersSent: 0 });
    const events = await env.engine.storage.findMany({ model: (await import('@crmkit/core')).coreModels.event, tenantId: 'acme', where: { type: 'task.reminderDue' } });
    expect(events.map((e) => (e.data as { record: { id: string } }).record.id)).toEqual([task.id]);
  });
});
