import type { EffectContext } from '@crmkit/workflows';
import { type EnrollInCampaignParams, type WinBackEvent, winBack } from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { day, testEngine } from './helpers.js';
import { pendingTimers } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

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

describe('win-back', () => {
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
