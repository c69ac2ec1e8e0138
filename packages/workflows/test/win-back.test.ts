import { createTriggers, createWorkflowEngine, type EffectContext, winBackTriggers, winBackV1 } from '@crmkit/workflows';
import { type EnrollInCampaignParams, type WinBackEvent, winBack } from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { day, testEngine } from './helpers.js';
import { pendingTimers } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());
/** The CRM of a test that does not use `setUp`. */
let other: { crm: { close(): Promise<void> } } | undefined;
afterEach(async () => {
  await other?.crm.close();
  other = undefined;
});

/** A customer company owned by a rep, watched for inactivity over 60 days; the campaign tool is a spy. */
async function setUp() {
  const enroll = vi.fn((_: Pick<EffectContext<EnrollInCampaignParams>, 'params' | 'idempotencyKey'>) => undefined);
  const base = await testEngine({
    workflows: [winBack],
    actions: { enrollInCampaign: (ctx) => enroll({ params: ctx.params as EnrollInCampaignParams, idempotencyKey: ctx.idempotencyKey }) },
  });
  const t = base.crm.tenant('acme');
  const rep = await t.members.create({ name: 'Ada' });
  const company = await t.companies.create({ name: 'Initech', ownerId: rep.id });
  const customer = { type: 'company' as const, id: company.id, name: 'Initech' };
  const run = await base.engine.start('acme', 'win-back', {
    subject: { type: 'company', id: company.id },
    input: { customer, inactiveDays: 60, ownerId: rep.id, campaignId: 'we-miss-you' },
  });
  return { ...base, t, rep, company, customer, run, enroll };
}

const send = (event: WinBackEvent) => env!.engine.send('acme', env!.run.id, event);
const companyTasks = async () => (await env!.t.tasks.list({ where: { linkedId: env!.company.id } })).items;

describe('win-back driven by activity (version 1 events)', () => {
  it('gives the owner a task and enrols an inactive customer in the campaign, with an idempotency key', async () => {
    env = await setUp();
    env.clock.advance(60 * day);
    expect(await env.engine.runDue()).toMatchObject({ timersFired: 1 });
    expect(await env.engine.get('acme', env.run.id)).toMatchObject({ state: 'inactive', context: expect.objectContaining({ lapses: 1 }) });
    await env.engine.runDue();
    expect(await companyTasks()).toEqual([expect.objectContaining({ title: 'Win back Initech: no activity for 60 days', assigneeId: env.rep.id })]);
    expect(env.enroll).toHaveBeenCalledExactlyOnceWith({
      params: { customer: env.customer, campaignId: 'we-miss-you', inactiveDays: 60 },
      idempotencyKey: `${env.run.id}:2:1`,
    });
  });

  it('restarts the inactivity clock on every new interaction or won deal', async () => {
    env = await setUp();
    env.clock.advance(50 * day);
    await send({ type: 'activity', kind: 'interaction' });
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-06-20T09:00:00.000Z' })]);
    env.clock.advance(50 * day);
    await send({ type: 'activity', kind: 'dealWon' });
    env.clock.advance(50 * day);
    await env.engine.runDue();
    expect((await env.engine.get('acme', env.run.id)).state).toBe('watching');
    expect(env.enroll).not.toHaveBeenCalled();
  });

  it('watches again once an inactive customer comes back', async () => {
    env = await setUp();
    env.clock.advance(60 * day);
    await env.engine.runDue();
    const back = await send({ type: 'activity', kind: 'dealWon' });
    expect(back).toMatchObject({ state: 'watching', context: expect.objectContaining({ lapses: 1, wonBack: 1 }) });
    expect(await pendingTimers(env.crm, env.run.id)).toHaveLength(1);
  });

  it('stops watching on request', async () => {
    env = await setUp();
    expect(await send({ type: 'stop' })).toMatchObject({ state: 'stopped', status: 'done' });
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([]);
  });
});

/** A customer company whose last order was placed 30 days before the start, watched for 60 days of no orders; orders signal through the triggers. */
async function ordersSetUp() {
  const enroll = vi.fn((_: EnrollInCampaignParams) => undefined);
  const base = await testEngine({ workflows: [winBack], actions: { enrollInCampaign: (ctx) => enroll(ctx.params as EnrollInCampaignParams) } });
  const triggers = createTriggers(base.engine, winBackTriggers(), { onError: () => undefined });
  await triggers.runDue();
  const t = base.crm.tenant('acme');
  const rep = await t.members.create({ name: 'Ada' });
  const company = await t.companies.create({ name: 'Initech', ownerId: rep.id });
  const buyer = await t.contacts.create({ firstName: 'Peter', companyId: company.id });
  const order = (placedAt: string) => t.orders.create({ companyId: company.id, contactId: buyer.id, currency: 'EUR', placedAt, lines: [{ name: 'Stapler', unitPriceMinor: 1_500 }] });
  await order('2026-01-31T09:00:00.000Z');
  await triggers.runDue();
  const [last] = (await t.orders.ofCustomer({ companyId: company.id }, { limit: 1 })).items;
  const run = await base.engine.start('acme', 'win-back', {
    subject: { type: 'company', id: company.id },
    input: { customer: { type: 'company', id: company.id, name: 'Initech' }, inactiveDays: 60, ownerId: rep.id, lastOrderAt: last!.placedAt, at: base.clock.now().toISOString() },
  });
  return { ...base, triggers, t, rep, company, order, run, enroll };
}

describe('win-back from order history', () => {
  it('counts the inactivity from the last order, not from the start', async () => {
    const e = await ordersSetUp();
    other = e;
    // Last order on 31 January, 60 days: inactive on 1 April, 30 days after the start on 2 March.
    expect(await pendingTimers(e.crm, e.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-04-01T09:00:00.000Z' })]);
    e.clock.set('2026-04-01T09:00:00.000Z');
    await e.engine.runDue();
    await e.engine.runDue();
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'inactive', context: expect.objectContaining({ lapses: 1 }) });
    expect((await e.t.tasks.list({ where: { linkedId: e.company.id } })).items.map((task) => task.title)).toEqual(['Win back Initech: no order for 60 days']);
    expect(e.enroll).toHaveBeenCalledOnce();
  });

  it('restarts the clock on each new order, through the order.created trigger', async () => {
    const e = await ordersSetUp();
    other = e;
    e.clock.advance(20 * day);
    await e.order(e.clock.now().toISOString());
    expect(await e.triggers.runDue()).toMatchObject({ signalled: 2, failed: 0 });
    expect(await pendingTimers(e.crm, e.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-05-21T09:00:00.000Z' })]);
    expect((await e.engine.get('acme', e.run.id)).context).toMatchObject({ lastOrderAt: '2026-03-22T09:00:00.000Z' });
  });

  it('counts an imported old order only for the time it has left, and ignores one older than the last seen', async () => {
    const e = await ordersSetUp();
    other = e;
    await e.order('2026-02-20T09:00:00.000Z');
    await e.order('2026-02-10T09:00:00.000Z');
    await e.triggers.runDue();
    expect(await pendingTimers(e.crm, e.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-04-21T09:00:00.000Z' })]);
  });

  it('wins the customer back when they order again after a lapse', async () => {
    const e = await ordersSetUp();
    other = e;
    e.clock.set('2026-04-02T09:00:00.000Z');
    await e.engine.runDue();
    await e.order(e.clock.now().toISOString());
    await e.triggers.runDue();
    expect(await e.engine.get('acme', e.run.id)).toMatchObject({ state: 'watching', context: expect.objectContaining({ lapses: 1, wonBack: 1 }) });
    expect(await pendingTimers(e.crm, e.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-06-01T09:00:00.000Z' })]);
  });
});

describe('win-back version 1 instances', () => {
  it('move to version 2 on their next event and keep their timer', async () => {
    const base = await testEngine({ workflows: [winBackV1], actions: { enrollInCampaign: () => undefined } });
    other = base;
    const t = base.crm.tenant('acme');
    const company = await t.companies.create({ name: 'Initech' });
    const old = await base.engine.start('acme', 'win-back', { subject: { type: 'company', id: company.id }, input: { customer: { type: 'company', id: company.id }, inactiveDays: 60 } });
    expect(old.workflowVersion).toBe(1);
    // A deploy: the engine now knows only version 2.
    const engine = createWorkflowEngine({ crm: base.crm, clock: base.clock, workflows: [winBack], actions: { enrollInCampaign: () => undefined } });
    base.clock.advance(10 * day);
    const moved = await engine.send('acme', old.id, { type: 'ordered', placedAt: base.clock.now().toISOString(), at: base.clock.now().toISOString() } satisfies WinBackEvent);
    expect(moved).toMatchObject({ workflowVersion: 2, state: 'watching', context: expect.objectContaining({ lapses: 0, lastOrderAt: '2026-03-12T09:00:00.000Z' }) });
    expect(await pendingTimers(base.crm, old.id)).toEqual([expect.objectContaining({ dueAt: '2026-05-11T09:00:00.000Z' })]);
  });

  it('fire the timer they were waiting on into version 2', async () => {
    const base = await testEngine({ workflows: [winBackV1], actions: { enrollInCampaign: () => undefined } });
    other = base;
    const company = await base.crm.tenant('acme').companies.create({ name: 'Initech' });
    const old = await base.engine.start('acme', 'win-back', { subject: { type: 'company', id: company.id }, input: { customer: { type: 'company', id: company.id }, inactiveDays: 60 } });
    const engine = createWorkflowEngine({ crm: base.crm, clock: base.clock, workflows: [winBack], actions: { enrollInCampaign: () => undefined } });
    base.clock.advance(60 * day);
    expect(await engine.runDue()).toMatchObject({ timersFired: 1 });
    expect(await engine.get('acme', old.id)).toMatchObject({ workflowVersion: 2, state: 'inactive', context: expect.objectContaining({ lapses: 1, lastOrderAt: null }) });
  });
});
