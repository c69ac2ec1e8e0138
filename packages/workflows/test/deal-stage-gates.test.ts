import { type DealStageGatesEvent, dealStageGates } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { day, testEngine } from './helpers.js';
import { pendingTimers, salesTeam } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

async function setUp() {
  const base = await testEngine({ workflows: [dealStageGates] });
  const team = await salesTeam(base.crm);
  const pipeline = await team.t.pipelines.create({
    name: 'Sales', stages: [{ name: 'Qualification' }, { name: 'Proposal' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
  });
  const deal = await team.t.deals.create({ title: 'Acme rollout', pipelineId: pipeline.id, ownerId: team.ada.id });
  const run = await base.engine.start('acme', 'deal-stage-gates', {
    subject: { type: 'deal', id: deal.id },
    input: {
      dealId: deal.id, stage: 'qualification', ownerId: team.ada.id, staleAfterDays: 7,
      requiredFields: { proposal: ['amount', 'expectedCloseOn'] }, approval: { teamId: team.team.id, maxDiscountPercent: 10 },
    },
  });
  const stageId = (key: string) => pipeline.stages.find((s) => s.key === key)?.id;
  return { ...base, ...team, deal, run, stageId };
}

const send = (event: DealStageGatesEvent) => env!.engine.send('acme', env!.run.id, event);
const dealTasks = async () => (await env!.t.tasks.list({ where: { linkedId: env!.deal.id } })).items;

describe('stage gates', () => {
  it('refuses a stage change while the stored deal lacks required fields, whatever the event says, and asks the owner to fill them in', async () => {
    env = await setUp();
    // A host may send more than the event's type holds: the gate never reads it.
    const forged = { type: 'stageChangeRequested', stage: 'proposal', deal: { amount: { minor: 1, currency: 'EUR' }, expectedCloseOn: '2026-06-30' } } as DealStageGatesEvent;
    const requested = await send(forged);
    expect(requested.value).toEqual({ open: { stage: 'active', discount: 'none' } });
    expect(await env.engine.runDue()).toMatchObject({ jobsDone: 1, jobsFailed: 0 });
    expect(await dealTasks()).toEqual([expect.objectContaining({
      title: 'Fill in amount, expectedCloseOn to move the deal to proposal', assigneeId: env.ada.id, custom: {}, idempotencyKey: `${env.run.id}:2:0`,
    })]);
    expect((await env.t.deals.get(env.deal.id)).stageId).toBe(env.stageId('qualification'));
  });

  it('moves the deal once the stored fields are filled in; the stage change re-arms the stale timer', async () => {
    env = await setUp();
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-03-09T09:00:00.000Z' })]);
    await env.t.deals.update(env.deal.id, { amount: { minor: 500_000, currency: 'EUR' }, expectedCloseOn: '2026-06-30' });
    env.clock.advance(3 * day);
    await send({ type: 'stageChangeRequested', stage: 'proposal' });
    await env.engine.runDue();
    expect((await env.t.deals.get(env.deal.id)).stageId).toBe(env.stageId('proposal'));
    expect(await dealTasks()).toEqual([]);
    // What a trigger on deal.stageChanged sends:
    const moved = await send({ type: 'stageChanged', stage: 'proposal' });
    expect(moved.context).toMatchObject({ stage: 'proposal' });
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([expect.objectContaining({ dueAt: '2026-03-12T09:00:00.000Z' })]);
  });

  it('reminds the owner when the deal sits in one stage too long', async () => {
    env = await setUp();
    env.clock.advance(7 * day);
    expect(await env.engine.runDue()).toMatchObject({ timersFired: 1 });
    expect((await env.engine.get('acme', env.run.id)).value).toEqual({ open: { stage: 'stale', discount: 'none' } });
    await env.engine.runDue();
    expect(await dealTasks()).toEqual([expect.objectContaining({ title: 'The deal has been in qualification for 7 days', assigneeId: env.ada.id })]);
  });
});

describe('discount approval', () => {
  it('grants a discount within the limit at once', async () => {
    env = await setUp();
    const granted = await send({ type: 'discountRequested', percent: 8, by: env.ada.id });
    expect(granted.value).toEqual({ open: { stage: 'active', discount: 'approved' } });
    expect(granted.context).toMatchObject({ discount: { requested: 8, approved: 8 } });
    await env.engine.runDue();
    expect(await dealTasks()).toEqual([]);
  });

  it('waits for the manager above the limit and notes the approval on the deal', async () => {
    env = await setUp();
    const waiting = await send({ type: 'discountRequested', percent: 20 });
    expect(waiting.value).toEqual({ open: { stage: 'active', discount: 'awaitingApproval' } });
    await env.engine.runDue();
    expect((await env.t.tasks.inbox(env.max.id)).items).toEqual([expect.objectContaining({ title: 'Approve a 20% discount (limit 10%)', linkedId: env.deal.id })]);
    const approved = await send({ type: 'discountApproved', by: env.max.id });
    expect(approved.value).toEqual({ open: { stage: 'active', discount: 'approved' } });
    expect(approved.context).toMatchObject({ discount: { requested: 20, approved: 20 } });
    await env.engine.runDue();
    const notes = (await env.t.interactions.list({ where: { dealId: env.deal.id } })).items;
    expect(notes).toEqual([expect.objectContaining({ type: 'note', subject: 'Discount approved', custom: {}, idempotencyKey: `${env.run.id}:3:0` })]);
  });

  it('keeps the discount unapproved when the manager rejects it', async () => {
    env = await setUp();
    await send({ type: 'discountRequested', percent: 25 });
    const rejected = await send({ type: 'discountRejected', reason: 'too deep' });
    expect(rejected.value).toEqual({ open: { stage: 'active', discount: 'rejected' } });
    expect(rejected.context).toMatchObject({ discount: { requested: 25, approved: null } });
  });
});

describe('winning', () => {
  it('creates the onboarding tasks and ends, dropping the stale timer', async () => {
    env = await setUp();
    const won = await send({ type: 'won' });
    expect(won).toMatchObject({ state: 'won', status: 'done' });
    expect(await pendingTimers(env.crm, env.run.id)).toEqual([]);
    await env.engine.runDue();
    const tasks = await dealTasks();
    expect(tasks.map((task) => [task.title, task.assigneeId, task.dueAt, task.idempotencyKey])).toEqual([
      ['Kick-off call with the customer', env.ada.id, '2026-03-04T09:00:00.000Z', `${env.run.id}:2:0`],
      ['Send the welcome pack', env.ada.id, '2026-03-03T09:00:00.000Z', `${env.run.id}:2:1`],
    ]);
  });
});
