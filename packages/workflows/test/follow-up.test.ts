import { type FollowUpEvent, followUp } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { day, hour, testEngine } from './helpers.js';
import { pendingTimers } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

/** A rep had a demo meeting with a contact; the follow-up workflow starts from it. */
async function setUp() {
  const base = await testEngine({ workflows: [followUp] });
  const t = base.crm.tenant('acme');
  const rep = await t.members.create({ name: 'Ada' });
  const contact = await t.contacts.create({ firstName: 'Grace', lastName: 'Hopper' });
  const meeting = await t.interactions.log({ type: 'meeting', subject: 'Demo', contactIds: [contact.id], ownerId: rep.id });
  const run = await base.engine.start('acme', 'follow-up', {
    subject: { type: 'contact', id: contact.id },
    input: { interaction: { id: meeting.id, type: meeting.type, subject: meeting.subject }, afterDays: 3, assigneeId: rep.id },
  });
  return { ...base, t, rep, contact, meeting, run };
}

const send = (event: FollowUpEvent) => env!.engine.send('acme', env!.run.id, event);
const contactTasks = async () => (await env!.t.tasks.list({ where: { linkedId: env!.contact.id } })).items;

describe('follow-up', () => {
  it('waits the given days for another interaction', async () => {
    env = await setUp();
    expect(env.run.state).toBe('waiting');
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([{ event: 'xstate.after.followUp.follow-up.waiting', dueAt: '2026-03-05T09:00:00.000Z' }]);
  });

  it('gives the assignee a task linked to the contact when nothing happens in time', async () => {
    env = await setUp();
    env.clock.advance(3 * day - hour);
    await env.engine.runDue();
    expect(await contactTasks()).toEqual([]);
    env.clock.advance(hour);
    await env.engine.runDue();
    expect(await env.engine.get('acme', env.run.id)).toMatchObject({ state: 'due', status: 'done' });
    await env.engine.runDue();
    expect(await contactTasks()).toEqual([expect.objectContaining({
      title: 'Follow up on the meeting: Demo', assigneeId: env.rep.id, linkedType: 'contact', dueAt: '2026-03-05T09:00:00.000Z',
      custom: {}, idempotencyKey: `${env.run.id}:2:0`,
    })]);
  });

  it('needs no task when another interaction is logged first', async () => {
    env = await setUp();
    env.clock.advance(1 * day);
    const call = await env.t.interactions.log({ type: 'call', contactIds: [env.contact.id] });
    expect(await send({ type: 'interactionLogged', interactionId: call.id })).toMatchObject({ state: 'followedUp', status: 'done', context: expect.objectContaining({ answeredBy: call.id }) });
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([]);
    env.clock.advance(5 * day);
    await env.engine.runDue();
    expect(await contactTasks()).toEqual([]);
  });

  it('does not count the meeting it follows up on as the answer', async () => {
    env = await setUp();
    expect(await send({ type: 'interactionLogged', interactionId: env.meeting.id })).toMatchObject({ state: 'waiting' });
    expect(await pendingTimers(env.crm, env.run.id)).toHaveLength(1);
  });

  it('ends without a task when cancelled', async () => {
    env = await setUp();
    expect(await send({ type: 'cancelled' })).toMatchObject({ state: 'cancelled', status: 'done' });
  });
});
