import type { Deal, TenantScope } from '@crmkit/core';
import type { DealStageGatesEvent, LeadQualificationEvent, WorkflowEngine } from '@crmkit/workflows';
import type { Lead, LeadKey } from './leads.js';

/**
 * What the sales team does with each open deal, by its position among the
 * open deals (cycling through the list), so that every path of the machines is taken.
 */
export const dealRoles = ['closes', 'lost', 'smallDiscount', 'bigDiscount', 'callAnswered', 'callUnanswered'] as const;
/** One of {@link dealRoles}. */
export type DealRole = (typeof dealRoles)[number];

/** The role of the open deal at `index`. */
export function roleOf(index: number): DealRole {
  return dealRoles[index % dealRoles.length] as DealRole;
}

/** The scenario's view of the CRM. */
export interface ScenarioContext {
  t: TenantScope;
  engine: WorkflowEngine;
  tenantId: string;
  openDeals: readonly Deal[];
  leads: readonly Lead[];
  pipelineId: string;
}

interface Step {
  /** Hours after go-live. */
  at: number;
  what: string;
  run: (ctx: ScenarioContext) => Promise<void>;
}

const day = 24;

function dealsOf(ctx: ScenarioContext, role: DealRole): Deal[] {
  return ctx.openDeals.filter((_, index) => roleOf(index) === role);
}

function leadOf(ctx: ScenarioContext, key: LeadKey): Lead {
  const lead = ctx.leads.find((l) => l.key === key);
  if (!lead) throw new Error(`No lead ${key}`);
  return lead;
}

async function gatesOf(ctx: ScenarioContext, dealId: string): Promise<string> {
  const [run] = await ctx.engine.instancesOf(ctx.tenantId, { type: 'deal', id: dealId }, 'deal-stage-gates');
  if (!run) throw new Error(`Deal ${dealId} has no stage gates`);
  return run.id;
}

async function sendGates(ctx: ScenarioContext, dealId: string, event: DealStageGatesEvent): Promise<void> {
  await ctx.engine.send(ctx.tenantId, await gatesOf(ctx, dealId), event);
}

async function requestWon(ctx: ScenarioContext, dealId: string): Promise<void> {
  const deal = await ctx.t.deals.get(dealId);
  await sendGates(ctx, dealId, { type: 'stageChangeRequested', stage: 'won', ...(deal.ownerId ? { by: deal.ownerId } : {}) });
}

/** A conversation with a lead, by its owner (the member the lead was assigned to). */
async function talkTo(ctx: ScenarioContext, key: LeadKey, type: 'call' | 'meeting' | 'email', subject: string): Promise<void> {
  const { contact, company } = leadOf(ctx, key);
  const { ownerId } = await ctx.t.contacts.get(contact.id);
  await ctx.t.interactions.log({ type, subject, contactIds: [contact.id], companyId: company.id, ...(ownerId ? { ownerId } : {}) });
}

async function sendLead(ctx: ScenarioContext, key: LeadKey, event: LeadQualificationEvent): Promise<void> {
  await ctx.engine.send(ctx.tenantId, leadOf(ctx, key).instanceId, event);
}

/** The scripted weeks, in time order. */
const steps: Step[] = [
  { at: 0, what: 'the referral lead gets a call, the inbound lead an email', run: async (ctx) => {
    await talkTo(ctx, 'referral', 'call', 'Intro call');
    await talkTo(ctx, 'inbound', 'email', 'Thanks for reaching out');
  } },
  { at: 1 * day, what: 'a deal for the referral lead; discounts requested', run: async (ctx) => {
    const { contact, company } = leadOf(ctx, 'referral');
    const { ownerId } = await ctx.t.contacts.get(contact.id);
    await ctx.t.deals.create({
      title: `${company.name} — referral`, pipelineId: ctx.pipelineId, companyId: company.id, contactIds: [contact.id],
      ownerId, amount: { minor: 4_821_00, currency: 'USD' },
    });
    for (const deal of dealsOf(ctx, 'smallDiscount')) await sendGates(ctx, deal.id, { type: 'discountRequested', percent: 5 });
    for (const deal of dealsOf(ctx, 'bigDiscount')) await sendGates(ctx, deal.id, { type: 'discountRequested', percent: 20 });
  } },
  { at: 2 * day, what: 'closing deals asked to move to won; managers decide; a lead disqualified', run: async (ctx) => {
    for (const deal of dealsOf(ctx, 'closes')) await requestWon(ctx, deal.id);
    // Every other big discount is approved by the manager, the others rejected.
    for (const [index, deal] of dealsOf(ctx, 'bigDiscount').entries()) {
      await sendGates(ctx, deal.id, index % 2 === 0 ? { type: 'discountApproved' } : { type: 'discountRejected', reason: 'Below our margin' });
    }
    await sendLead(ctx, 'student', { type: 'disqualified', reason: 'Not a buyer' });
  } },
  { at: 3 * day, what: 'close dates filled in and won again; the ignored lead finally gets a meeting', run: async (ctx) => {
    for (const deal of dealsOf(ctx, 'closes')) {
      await ctx.t.deals.update(deal.id, { expectedCloseOn: '2018-01-31' });
      await requestWon(ctx, deal.id);
    }
    await talkTo(ctx, 'ignored', 'meeting', 'Discovery meeting');
  } },
  { at: 4 * day, what: 'calls on deals; the ignored lead answers by email', run: async (ctx) => {
    for (const deal of [...dealsOf(ctx, 'callAnswered'), ...dealsOf(ctx, 'callUnanswered')]) {
      await ctx.t.interactions.log({ type: 'call', subject: 'Pricing questions', dealId: deal.id, companyId: deal.companyId, ownerId: deal.ownerId });
    }
    await talkTo(ctx, 'ignored', 'email', 'Re: Discovery meeting');
  } },
  { at: 5 * day, what: 'some customers answer the calls; deals lost', run: async (ctx) => {
    for (const deal of dealsOf(ctx, 'callAnswered')) {
      await ctx.t.interactions.log({ type: 'email', direction: 'inbound', subject: 'Re: Pricing', dealId: deal.id, companyId: deal.companyId });
    }
    for (const deal of dealsOf(ctx, 'lost')) await ctx.t.deals.markLost(deal.id, { reason: 'Went with a competitor' });
  } },
  { at: 6 * day, what: 'a nurtured lead confirms a budget', run: async (ctx) => {
    await sendLead(ctx, 'budget', { type: 'leadUpdated', fields: { budgetConfirmed: true } });
  } },
  { at: 30 * day, what: 'lapsed customers answer the campaign', run: async (ctx) => {
    const companies = new Set(dealsOf(ctx, 'callAnswered').map((deal) => deal.companyId).filter((id): id is string => id !== null));
    for (const companyId of companies) {
      await ctx.t.interactions.log({ type: 'email', direction: 'inbound', subject: 'Re: We miss you', companyId });
    }
  } },
];

/** Plays the scripted steps as simulated time passes. */
export class Scenario {
  #next = 0;

  constructor(private readonly ctx: ScenarioContext) {}

  /** Runs the steps due `hours` after go-live that have not run yet. */
  async runDue(hours: number): Promise<string[]> {
    const ran: string[] = [];
    while (this.#next < steps.length && (steps[this.#next] as Step).at <= hours) {
      const step = steps[this.#next++] as Step;
      await step.run(this.ctx);
      ran.push(step.what);
    }
    return ran;
  }
}
