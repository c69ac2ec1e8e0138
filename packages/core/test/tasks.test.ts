import { StateError } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

describe('tasks', () => {
  it("orders a member's inbox by priority, then due date with undated last", async () => {
    const t = env.crm.tenant('acme');
    const rep = await t.members.create({ name: 'Rep' });
    const other = await t.members.create({ name: 'Other' });
    const make = (title: string, priority: 'low' | 'normal' | 'high' | 'urgent', dueAt?: string) =>
      t.tasks.create({ title, priority, assigneeId: rep.id, ...(dueAt ? { dueAt } : {}) });
    await make('normal-late', 'normal', '2026-03-10T00:00:00Z');
    await make('urgent', 'urgent', '2026-03-20T00:00:00Z');
    await make('normal-undated', 'normal');
    await make('normal-early', 'normal', '2026-03-05T00:00:00Z');
    const done = await make('done', 'urgent');
    await t.tasks.complete(done.id);
    await t.tasks.create({ title: 'someone else', assigneeId: other.id, priority: 'urgent' });
    const inbox = await t.tasks.inbox(rep.id);
    expect(inbox.items.map((x) => x.title)).toEqual(['urgent', 'normal-early', 'normal-late', 'normal-undated']);
    const first = await t.tasks.inbox(rep.id, { limit: 2 });
    const second = await t.tasks.inbox(rep.id, { limit: 2, cursor: first.nextCursor as string });
    expect([...first.items, ...second.items].map((x) => x.title)).toEqual(inbox.items.map((x) => x.title));
  });

  it('completes and reopens tasks, refusing to complete twice', async () => {
    const t = env.crm.tenant('acme');
    const task = await t.tasks.create({ title: 'Call back', link: { type: 'contact', id: (await t.contacts.create({ firstName: 'A' })).id } });
    const done = await t.tasks.complete(task.id);
    expect(done).toMatchObject({ status: 'done', completedAt: '2026-03-02T09:00:00.000Z' });
    await expect(t.tasks.complete(task.id)).rejects.toBeInstanceOf(StateError);
    await expect(t.tasks.update(task.id, { title: 'x' })).rejects.toBeInstanceOf(StateError);
    const open = await t.tasks.reopen(task.id);
    expect(open).toMatchObject({ status: 'open', completedAt: null });
  });

  it('refuses a reminder after the due time and links to missing records', async () => {
    const t = env.crm.tenant('acme');
    await expect(t.tasks.create({ title: 'x', dueAt: '2026-03-01T00:00:00Z', remindAt: '2026-03-02T00:00:00Z' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(t.tasks.create({ title: 'x', link: { type: 'deal', id: 'missing' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
