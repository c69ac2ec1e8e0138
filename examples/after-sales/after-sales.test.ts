import type { Case, Task } from '@crmkit/core';
import type { CaseSlaContext, WarrantyClaimContext } from '@crmkit/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketKey } from './desk.js';
import { listAll } from './list-all.js';
import { type AfterSalesReport, collectReport } from './report.js';
import { runSimulation, type Simulation } from './simulate.js';

let sim: Simulation;
let report: AfterSalesReport;

beforeAll(async () => {
  sim = await runSimulation({ db: ':memory:' });
  report = await collectReport(sim);
}, 60_000);
afterAll(async () => sim?.close());

const caseOf = (key: TicketKey): Promise<Case> => sim.desk.case(key);
const caseSubject = (key: TicketKey) => ({ type: 'case', id: sim.desk.caseId(key) });
const tasksFrom = (source: string) => report.tasks.filter((task) => task.source === source).map((task) => `${task.title} -> ${task.assignee}`);
const allTasks = (): Promise<Task[]> => listAll((o) => sim.t.tasks.list(o));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
};

describe('multi-channel intake', () => {
  it('opens one case per conversation, whatever the channel, for the contacts the customers already are', async () => {
    expect(report.cases.map((c) => `#${c.number} ${c.channel}`)).toEqual(['#1 email', '#2 sms', '#3 chat', '#4 email', '#5 email']);
    const { hotel, jonas, max, lea } = sim.customers;
    expect((await caseOf('hotelHubs')).contactId).toBe(hotel.petra.id);
    expect((await caseOf('hotelHubs')).companyId).toBe(hotel.company.id);
    expect((await caseOf('jonasRecordings')).contactId).toBe(jonas.contact.id);
    expect((await caseOf('maxCam')).contactId).toBe(max.contact.id);
    expect((await caseOf('leaPairing')).contactId).toBe(lea.contact.id);
    expect(await listAll((o) => sim.t.contacts.list(o))).toHaveLength(4);
  });

  it('threads replies onto their case, an email by In-Reply-To and an SMS by its sender, and stores a redelivered email once', async () => {
    const kinds = async (key: TicketKey) => (await sim.t.cases.history(sim.desk.caseId(key))).map((a) => a.kind).filter((k) => k === 'customer_message' || k === 'response');
    expect(await kinds('hotelHubs')).toEqual(['customer_message', 'response', 'customer_message', 'response']);
    expect(await kinds('jonasRecordings')).toEqual(['customer_message', 'response', 'customer_message', 'response']);
    expect(report.events['case.created']).toBe(5);
  });

  it('records who answered: the team lead took over the escalated chat', async () => {
    const responses = (await sim.t.cases.history(sim.desk.caseId('maxCam'))).filter((a) => a.kind === 'response');
    expect(responses.map((a) => a.actorId)).toEqual([sim.org.lead.id]);
  });
});

describe('SLA policies and business hours', () => {
  it('gives the contract customer the premium policy and everyone else the business-hours one', () => {
    expect(report.cases.map((c) => c.policy)).toEqual([
      'Premium (maintenance contract)', 'Standard (business hours)', 'Standard (business hours)', 'Standard (business hours)', 'Standard (business hours)',
    ]);
  });

  it('skips the night, the weekend and the Christmas holidays: the chat of Wednesday 15:30 is due Monday 11:30', () => {
    const sla = sim.journal.entries.filter((e) => e.sla);
    expect(sla).toEqual([
      { type: 'case.slaWarning', occurredAt: '2026-12-28T10:00:00.000Z', sla: { caseNumber: 3, target: 'firstResponse', dueAt: '2026-12-28T10:30:00.000Z' } },
      { type: 'case.slaBreached', occurredAt: '2026-12-28T10:30:00.000Z', sla: { caseNumber: 3, target: 'firstResponse', dueAt: '2026-12-28T10:30:00.000Z' } },
    ]);
  });

  it('measures calendar and business minutes, and stops the clocks while the case waits on the customer', async () => {
    const jonas = await caseOf('jonasRecordings');
    // Pending from Wednesday 11:00 to Monday 10:00.
    expect(jonas.pausedMinutes).toBe(5 * 24 * 60 - 60);
    expect(report.cases[1]).toMatchObject({
      firstResponse: { minutes: 1110, businessMinutes: 150, breached: false },
      resolution: { minutes: 1110 + 240, businessMinutes: 30 + 120 + 240, breached: false },
    });
    expect(report.cases[2]).toMatchObject({ firstResponse: { businessMinutes: 90 + 195, breached: true }, resolution: { breached: false } });
  });

  it('escalates the breach to the team lead once, and no further once the case is resolved', async () => {
    expect(tasksFrom('case-sla')).toEqual(['Escalation level 1: Case #3 breached its first response SLA -> Tamara Richter']);
    const run = await sim.desk.instance('case-sla', caseSubject('maxCam'));
    expect(run.context as CaseSlaContext).toMatchObject({ warnings: 1, breaches: 1, escalationLevel: 0 });
    expect(report.instances['case-sla']).toEqual({ 'open/escalation none': 5 });
  });
});

describe('warranty claim', () => {
  it('finds the hub covered, replaces it and resolves the case', async () => {
    // The claim came by email, opened with its type and asset, for Ana.
    expect(await caseOf('leaClaim')).toMatchObject({ channel: 'email', type: 'warranty_claim', assetId: sim.customers.lea.hub.id, ownerId: sim.org.ana.id, teamId: sim.org.tier1.id });
    const run = await sim.desk.instance('warranty-claim', caseSubject('leaClaim'));
    expect(run).toMatchObject({ status: 'done', state: 'fulfilled' });
    expect(run.context as WarrantyClaimContext).toMatchObject({ covered: true, decision: 'approved', outcome: 'replaced' });
    expect(tasksFrom('warranty-claim')).toEqual(['Repair or replace the asset of the warranty claim of case #4 -> Ana Costa']);
    expect((await caseOf('leaClaim')).status).toBe('resolved');
  });

  it('moves the warranty to the new unit', async () => {
    const old = await sim.t.assets.get(sim.customers.lea.hub.id);
    expect(old.status).toBe('replaced');
    const replacement = await sim.t.assets.get(old.replacedById!);
    expect(replacement).toMatchObject({ serialNumber: 'LH-26-2210', status: 'active', contactId: sim.customers.lea.contact.id });
    const coverage = await sim.t.contracts.isCovered(replacement.id, sim.clock.now(), 'warranty_claim');
    expect(coverage.covered).toBe(true);
    expect(coverage.contracts.map((c) => c.kind)).toEqual(['warranty']);
  });
});

describe('contract renewal', () => {
  it('offers and reminds before the end, renews the maintenance contract and lets the unrenewed plan lapse', async () => {
    expect(tasksFrom('contract-renewal').sort()).toEqual([
      'Cloud plan of Jonas Weber ends in 2 days: renew it -> Clara Hoff',
      'Cloud plan of Jonas Weber ends in 7 days: renew it -> Clara Hoff',
      'Seeblick maintenance 2026 ends in 7 days: renew it -> Clara Hoff',
      'Send the renewal offer for Cloud plan of Jonas Weber -> Clara Hoff',
      'Send the renewal offer for Seeblick maintenance 2026 -> Clara Hoff',
    ]);
    const { maintenance } = sim.customers.hotel;
    expect((await sim.desk.instance('contract-renewal', { type: 'contract', id: maintenance.id })).state).toBe('renewed');
    expect((await sim.desk.instance('contract-renewal', { type: 'contract', id: sim.customers.jonas.cloudPlan.id })).state).toBe('lapsed');
    expect((await sim.t.contracts.get(sim.customers.jonas.cloudPlan.id)).status).toBe('expired');
  });

  it('links the next contract to the old one, with the new price and the same hubs', async () => {
    const old = await sim.t.contracts.get(sim.customers.hotel.maintenance.id);
    expect(old.status).toBe('renewed');
    const next = await sim.t.contracts.get(old.renewedById!);
    expect(next).toMatchObject({ name: 'Seeblick maintenance 2027', status: 'active', renewsContractId: old.id, startDate: '2027-01-09', endDate: '2028-01-08', price: { minor: 1_900_00, currency: 'EUR' } });
    expect(await sim.t.contracts.assetIds(next.id)).toHaveLength(12);
  });
});

describe('satisfaction surveys', () => {
  it('surveys every resolved case, reminds once and expires the unanswered survey', async () => {
    expect(report.instances['satisfaction-survey']).toEqual({ answered: 2, detractor: 1, expired: 1 });
    expect(report.surveyDeliveries).toEqual({ first: 4, reminders: 1 });
    const [jonasSurvey] = await sim.t.surveys.ofCase(sim.desk.caseId('jonasRecordings'));
    expect(jonasSurvey).toMatchObject({ status: 'expired', reminderCount: 1, sentAt: '2026-12-28T15:00:00.000Z' });
  });

  it('escalates the detractor to the team lead and keeps the latest scores current', async () => {
    expect(tasksFrom('core')).toEqual(['Unhappy customer on case #3: CSAT 2/5 -> Tamara Richter']);
    expect(report.events['survey.detractor']).toBe(1);
    expect((await caseOf('maxCam'))).toMatchObject({ status: 'resolved', satisfaction: 2 });
    expect((await sim.t.contacts.get(sim.customers.max.contact.id)).csat).toBe(2);
    expect((await sim.t.contacts.get(sim.customers.hotel.petra.id))).toMatchObject({ csat: 5, satisfaction: 9 });
  });
});

describe('the SLA report', () => {
  it('counts compliance per channel from the breach flags', () => {
    const rows = report.sla.byChannel.map((r) => [r.channel, r.cases, r.firstResponse.met, r.firstResponse.breached, r.resolution.met, r.resolution.breached]);
    expect(rows).toEqual([['chat', 1, 0, 1, 1, 0], ['email', 3, 3, 0, 2, 0], ['sms', 1, 1, 0, 1, 0]]);
  });

  it('gives the medians the cases themselves add up to, in calendar and business minutes', () => {
    const [normal] = report.sla.responseTimes;
    const answered = report.cases.filter((c) => c.firstResponse.minutes !== null);
    const resolved = report.cases.filter((c) => c.resolution.minutes !== null);
    expect(normal).toMatchObject({ priority: 'normal', cases: 5, firstResponse: { count: 5 }, resolution: { count: 4 } });
    expect(normal!.firstResponse.median).toBeCloseTo(median(answered.map((c) => c.firstResponse.minutes!)), 6);
    expect(normal!.firstResponse.businessMedian).toBeCloseTo(median(answered.map((c) => c.firstResponse.businessMinutes!)), 6);
    expect(normal!.resolution.median).toBeCloseTo(median(resolved.map((c) => c.resolution.minutes!)), 6);
    expect(normal!.firstResponse.businessMedian).toBeCloseTo(90, 6);
    expect(normal!.resolution.median).toBeCloseTo((1350 + 1455) / 2, 6);
  });

  it('shows the one open case in the backlog, and the satisfaction, warranty, renewal and repeat-purchase figures', () => {
    expect(report.sla.backlog).toEqual([expect.objectContaining({ status: 'open', priority: 'normal', open: 1, overdue: 0 })]);
    const byAgent = Object.fromEntries(report.satisfaction.map((r) => [r.agent, [r.csat.average, r.nps.score]]));
    expect(byAgent).toEqual({ 'Ana Costa': [3, null], 'Ben Wolf': [5, null], 'no agent': [null, 100] });
    expect(report.warrantyClaims.map((w) => [w.product, w.claims, w.assets])).toEqual([['Lumen Hub', 1, 14], ['Lumen Cam', 0, 3]]);
    expect(report.contractRenewals.renewals.map((r) => [r.kind, r.renewed, r.expired])).toEqual([['maintenance', 1, 0], ['subscription', 0, 1]]);
    expect(report.repeatPurchase).toMatchObject({ customers: 4, repeatCustomers: 1 });
  });
});

describe('the run as a whole', () => {
  it('leaves no dead letters, no failed trigger and no task without an assignee', async () => {
    expect(report.deadLetters).toBe(0);
    expect(report.triggerFailures).toBe(0);
    expect((await allTasks()).filter((task) => task.assigneeId === null)).toEqual([]);
  });
});
