import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
let heard: { id: string; remindAt: string | null }[];
beforeEach(async () => {
  env = await testCrm();
  heard = [];
  env.crm.onAnyEvent((e) => {
    if (e.type === 'task.reminderDue') {
      const task = (e.data as { record: { id: string; remindAt: string | null } }).record;
      heard.push({ id: task.id, remindAt: task.remindAt });
    }
  });
});
afterEach(() => env.crm.close());

const at = (hours: number) => new Date(Date.parse('2026-03-02T09:00:00.000Z') + hours * hour).toISOString();

describe('task reminders', () => {
  it('emit task.reminderDue once, when remindAt has come', async () => {
    const t = env.crm.tenant('acme');
    const task = await t.tasks.create({ title: 'Call', remindAt: at(2), dueAt: at(3) });
    expect(await env.crm.deliverReminders()).toBe(0);
    env.clock.advance(2 * hour);
    expect(await env.crm.deliverReminders()).toBe(1);
    expect(await env.crm.deliverReminders()).toBe(0);
    expect(heard).toEqual([{ id: task.id, remindAt: at(2) }]);
    const outbox = env.adapter.database.prepare("select count(*) n from crm_event where type = 'task.reminderDue'").get();
    expect(outbox).toEqual({ n: 1 });
  });

  it('follow a changed remindAt, and remind again of a new one', async () => {
    const t = env.crm.tenant('acme');
    const task = await t.tasks.create({ title: 'Call', remindAt: at(1) });
    await t.tasks.update(task.id, { remindAt: at(5) });
    env.clock.advance(2 * hour);
    expect(await env.crm.deliverReminders()).toBe(0);
    env.clock.advance(4 * hour);
    expect(await env.crm.deliverReminders()).toBe(1);
    await t.tasks.update(task.id, { remindAt: at(8) });
    env.clock.advance(3 * hour);
    expect(await env.crm.deliverReminders()).toBe(1);
    expect(heard.map((h) => h.remindAt)).toEqual([at(5), at(8)]);
  });

  it('are cancelled by completing or cancelling the task, and come back on reopening only while ahead', async () => {
    const t = env.crm.tenant('acme');
    const done = await t.tasks.create({ title: 'Done', remindAt: at(1) });
    const cancelled = await t.tasks.create({ title: 'Cancelled', remindAt: at(1) });
    const reopened = await t.tasks.create({ title: 'Reopened', remindAt: at(3) });
    await t.tasks.complete(done.id);
    await t.tasks.update(cancelled.id, { status: 'cancelled' });
    await t.tasks.complete(reopened.id);
    await t.tasks.reopen(reopened.id);
    env.clock.advance(4 * hour);
    expect(await env.crm.deliverReminders()).toBe(1);
    expect(heard.map((h) => h.id)).toEqual([reopened.id]);
    await t.tasks.update(cancelled.id, { status: 'open' });
    expect(await env.crm.deliverReminders()).toBe(0);
  });

  it('refuse a remindAt after the stored dueAt on update', async () => {
    const t = env.crm.tenant('acme');
    const task = await t.tasks.create({ title: 'Call', dueAt: at(2) });
    await expect(t.tasks.update(task.id, { remindAt: at(3) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['remindAt'] })] });
    await expect(t.tasks.update(task.id, { remindAt: at(3), dueAt: at(2) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await t.tasks.get(task.id)).version).toBe(1);
  });

  it('deliver the reminders of every tenant, at most limit per call', async () => {
    for (const tenant of ['acme', 'globex', 'initech']) await env.crm.tenant(tenant).tasks.create({ title: 'Call', remindAt: at(0) });
    expect(await env.crm.deliverReminders({ limit: 2 })).toBe(2);
    expect(await env.crm.deliverReminders({ limit: 2 })).toBe(1);
    await expect(env.crm.deliverReminders({ limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
