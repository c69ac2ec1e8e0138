import { fileURLToPath } from 'node:url';
import type { Task } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from './list-all.js';
import { type AutomationReport, collectReport } from './report.js';
import { roleOf, type DealRole } from './scenario.js';
import { runSimulation, type Simulation } from './simulate.js';

const dataDir = fileURLToPath(new URL('../data/crm-sales-opportunities', import.meta.url));
let sim: Simulation;
let report: AutomationReport;

beforeAll(async () => {
  sim = await runSimulation({ dataDir, limit: 150, db: ':memory:', weeks: 6 });
  report = await collectReport(sim);
}, 180_000);
afterAll(async () => sim?.close());

const dealsWithRole = (role: DealRole) => sim.openDeals.filter((_, index) => roleOf(index) === role);
const gatesOf = async (dealId: string) => sim.engine.instancesOf(sim.tenantId, { type: 'deal', id: dealId }, 'deal-stage-gates');
const followUpsOf = async (dealId: string) => sim.engine.instancesOf(sim.tenantId, { type: 'deal', id: dealId }, 'follow-up');
const tasksTagged = (tag: string): Promise<Task[]> => listAll((o) => sim.t.tasks.list(o), { where: { tags: { has: tag } } });

describe('deal stage gates', () => {
  it('starts one instance for every deal open at go-live, and one for a deal created afterwards', async () => {
    expect(sim.openDeals.length).toBeGreaterThanOrEqual(12);
    for (const deal of sim.openDeals) expect(await gatesOf(deal.id)).toHaveLength(1);
    const created = (await sim.t.deals.list({ where: { externalId: { isNull: true } } })).items;
    expect(created).toHaveLength(1);
    expect(await gatesOf(created[0]!.id)).toEqual([expect.objectContaining({ status: 'active' })]);
  });

  it('refuses the first move to won, accepts it once the close date is filled in, and onboards the customer', async () => {
    const onboarding = await tasksTagged('workflow:deal-stage-gates');
    for (const deal of dealsWithRole('closes')) {
      expect(await gatesOf(deal.id)).toEqual([expect.objectContaining({ state: 'won', status: 'done' })]);
      expect((await sim.t.deals.get(deal.id)).status).toBe('won');
      const titles = onboarding.filter((task) => task.linkedId === deal.id).map((task) => task.title).sort();
      expect(titles).toEqual(['Fill in expectedCloseOn to move the deal to won', 'Kick-off call with the customer', 'Send the welcome pack']);
    }
  });

  it('ends the instances of lost deals', async () => {
    for (const deal of dealsWithRole('lost')) expect(await gatesOf(deal.id)).toEqual([expect.objectContaining({ state: 'lost' })]);
  });

  it('approves small discounts at once and asks the manager about big ones', async () => {
    for (const deal of dealsWithRole('smallDiscount')) {
      expect((await gatesOf(deal.id))[0]?.value).toEqual({ open: { stage: 'stale', discount: 'approved' } });
    }
    const approvals = (await tasksTagged('workflow:deal-stage-gates')).filter((task) => task.title.startsWith('Approve a 20% discount'));
    const big = dealsWithRole('bigDiscount');
    expect(approvals.map((task) => task.linkedId).sort()).toEqual(big.map((deal) => deal.id).sort());
    const decisions = await Promise.all(big.map(async (deal) => ((await gatesOf(deal.id))[0]?.value as { open: { discount: string } }).open.discount));
    expect(new Set(decisions)).toEqual(new Set(['approved', 'rejected']));
  });
});

describe('follow-ups', () => {
  it('creates a follow-up task for calls nobody answered within three days', async () => {
    const tasks = await tasksTagged('workflow:follow-up');
    for (const deal of dealsWithRole('callUnanswered')) {
      expect(await followUpsOf(deal.id)).toEqual([expect.objectContaining({ state: 'due' })]);
      expect(tasks.filter((task) => task.linkedId === deal.id).map((task) => task.title)).toEqual(['Follow up on the call: Pricing questions']);
    }
  });

  it('creates none where the customer answered first', async () => {
    const tasks = await tasksTagged('workflow:follow-up');
    for (const deal of dealsWithRole('callAnswered')) {
      expect(await followUpsOf(deal.id)).toEqual([expect.objectContaining({ state: 'followedUp' })]);
      expect(tasks.filter((task) => task.linkedId === deal.id)).toEqual([]);
    }
  });
});

describe('lead qualification', () => {
  it('takes every path: worked, escalated, nurturing, disqualified', async () => {
    const states = Object.fromEntries(await Promise.all(sim.leads.map(async (lead) => [lead.key, (await sim.engine.get(sim.tenantId, lead.instanceId)).state])));
    expect(states).toEqual({
      referral: 'worked', ignored: 'worked', inbound: 'worked',
      budget: 'qualified.escalated', cold: 'nurturing', student: 'disqualified',
    });
    expect(report.escalations.leads).toBe(2);
    const escalations = (await sim.t.tasks.inbox(sim.org.leadTeam.managerId)).items.filter((task) => task.title.startsWith('Lead not contacted'));
    expect(escalations).toHaveLength(2);
  });
});

describe('win-back', () => {
  it('enrols inactive customers once per lapse and gives their owner a task', async () => {
    expect(report.enrolments).toBeGreaterThan(0);
    const enrolled = new Set(sim.campaign.enrolments.map((e) => e.customer.id));
    expect(enrolled.size).toBe(report.enrolments);
    const tasks = await tasksTagged('workflow:win-back');
    expect(new Set(tasks.map((task) => task.linkedId))).toEqual(enrolled);
    expect(sim.campaign.enrolments.every((e) => e.campaignId === 'we-miss-you')).toBe(true);
  });
});

describe('the run as a whole', () => {
  it('leaves no dead letters and no failed trigger', () => {
    expect(report.deadLetters).toBe(0);
    expect(report.triggerFailures).toBe(0);
  });
});
