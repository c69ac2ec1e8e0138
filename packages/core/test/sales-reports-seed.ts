import type { ManualClock, TenantScope } from '@crmkit/core';
import { random } from './report-helpers.js';

/** A stage of the seeded pipelines, as the test knows it (not read back from crmkit). */
export interface SeedStage {
  key: string;
  category: 'open' | 'won' | 'lost';
  probability: number;
  forecastCategory: 'pipeline' | 'best_case' | 'commit' | 'closed' | 'omitted';
}

/** What the seed did to one deal: the record of truth the tests compute from. */
export interface SeedDeal {
  id: string;
  pipelineId: string;
  ownerId: string | null;
  amount: number;
  currency: string;
  createdAt: string;
  expectedCloseOn: string | null;
  /** Every stage the deal entered, the first one at creation. */
  stages: { key: string; stageId: string; at: string }[];
  status: 'open' | 'won' | 'lost';
  closedAt: string | null;
  lostReason: string | null;
  contactIds: string[];
  /** The current stage. */
  stage: SeedStage;
}

/** Everything seeded into one tenant. */
export interface SalesSeed {
  members: string[];
  /** Stages of each pipeline by id, in order. */
  pipelines: Map<string, SeedStage[]>;
  stageIds: Map<string, SeedStage & { pipelineId: string; position: number }>;
  deals: SeedDeal[];
  contacts: { id: string; source: string | null; lifecycleStage: string; createdAt: string }[];
  interactions: { ownerId: string | null; type: string; occurredAt: string }[];
  tasks: { assigneeId: string | null; completedAt: string | null }[];
}

const salesStages: SeedStage[] = [
  { key: 'qualification', category: 'open', probability: 20, forecastCategory: 'pipeline' },
  { key: 'proposal', category: 'open', probability: 50, forecastCategory: 'best_case' },
  { key: 'negotiation', category: 'open', probability: 80, forecastCategory: 'commit' },
  { key: 'won', category: 'won', probability: 100, forecastCategory: 'closed' },
  { key: 'lost', category: 'lost', probability: 0, forecastCategory: 'omitted' },
];
const renewalStages: SeedStage[] = [
  { key: 'review', category: 'open', probability: 40, forecastCategory: 'pipeline' },
  { key: 'committed', category: 'open', probability: 90, forecastCategory: 'commit' },
  { key: 'renewed', category: 'won', probability: 100, forecastCategory: 'closed' },
  { key: 'churned', category: 'lost', probability: 0, forecastCategory: 'omitted' },
];

const minute = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Seeds members, two pipelines, contacts with sources, deals moved through
 * their stages and closed on a manual clock, interactions and tasks: all
 * through the public services, in time order, so `createdAt` is the clock's.
 */
export async function seedSales(t: TenantScope, clock: ManualClock, seed: number, size = { deals: 60, interactions: 120, tasks: 40, contacts: 40 }): Promise<SalesSeed> {
  const r = random(seed);
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const members = (await Promise.all(['Ann', 'Bob', 'Cid'].map((name) => t.members.create({ name })))).map((m) => m.id);
  const out: SalesSeed = { members, pipelines: new Map(), stageIds: new Map(), deals: [], contacts: [], interactions: [], tasks: [] };
  const pipelineIds: string[] = [];
  for (const [name, currency, stages] of [['Sales', 'USD', salesStages], ['Renewals', 'EUR', renewalStages]] as const) {
    const p = await t.pipelines.create({ name, currency, stages: stages.map((s) => ({ name: s.key, key: s.key, category: s.category, probability: s.probability, forecastCategory: s.forecastCategory })) });
    pipelineIds.push(p.id);
    out.pipelines.set(p.id, stages);
    p.stages.forEach((s, position) => out.stageIds.set(s.id, { ...stages[position]!, pipelineId: p.id, position }));
  }
  const owner = () => (r.next() < 0.1 ? null : r.pick(members));
  const events: { at: number; seq: number; run: () => Promise<void> }[] = [];
  const at = (ms: number, run: () => Promise<void>) => events.push({ at: ms, seq: events.length, run });

  // Contacts come first: deals link to them.
  for (let i = 0; i < size.contacts; i++) {
    const contact = { id: '', source: r.pick(['web', 'referral', 'event', null]), lifecycleStage: r.pick(['lead', 'mql', 'sql', 'customer', 'churned', 'evangelist'] as const), createdAt: '' };
    const when = base + r.int(0, 60 * 24 * 100) * minute;
    at(when - 200 * 24 * 60 * minute, async () => {
      const c = await t.contacts.create({ firstName: `C${i}`, lifecycleStage: contact.lifecycleStage, ...(contact.source ? { source: contact.source } : {}) });
      Object.assign(contact, { id: c.id, createdAt: c.createdAt });
    });
    out.contacts.push(contact);
  }
  for (let i = 0; i < size.deals; i++) {
    const pipelineId = r.pick(pipelineIds);
    const stages = out.pipelines.get(pipelineId)!;
    const open = stages.filter((s) => s.category === 'open');
    const currency = pipelineId === pipelineIds[0] && r.next() < 0.25 ? 'EUR' : pipelineId === pipelineIds[0] ? 'USD' : 'EUR';
    const created = base + r.int(0, 60 * 24 * 150) * minute;
    const expected = r.next() < 0.15 ? null : iso(base + r.int(0, 300) * 24 * 60 * minute).slice(0, 10);
    const deal: SeedDeal = {
      id: '', pipelineId, ownerId: owner(), amount: r.int(1, 5000) * 100, currency, createdAt: iso(created), expectedCloseOn: expected, stages: [],
      status: 'open', closedAt: null, lostReason: null, contactIds: [], stage: open[0]!,
    };
    out.deals.push(deal);
    const contacts = out.contacts.length > 0 && r.next() < 0.8 ? [r.pick(out.contacts)] : [];
    at(created, async () => {
      const d = await t.deals.create({ title: `Deal ${i}`, pipelineId, stage: open[0]!.key, amount: { minor: deal.amount, currency }, expectedCloseOn: deal.expectedCloseOn, ownerId: deal.ownerId, contactIds: contacts.map((c) => c.id) });
      deal.id = d.id;
      deal.contactIds = contacts.map((c) => c.id);
      deal.stages.push({ key: open[0]!.key, stageId: d.stageId, at: d.createdAt });
    });
    let when = created;
    let position = 0;
    const moves = r.int(0, open.length - 1);
    const step = async (stage: SeedStage, reason?: string | null) => {
      if (stage.category === 'won') await t.deals.markWon(deal.id);
      else if (stage.category === 'lost') await t.deals.markLost(deal.id, reason ? { reason } : {});
      else await t.deals.moveToStage(deal.id, stage.key);
      const now = clock.now().toISOString();
      const stageId = [...out.stageIds].find(([, s]) => s.pipelineId === pipelineId && s.key === stage.key)![0];
      deal.stages.push({ key: stage.key, stageId, at: now });
      deal.stage = stage;
      deal.status = stage.category;
      if (stage.category !== 'open') [deal.closedAt, deal.lostReason] = [now, stage.category === 'lost' ? (reason ?? null) : null];
    };
    // Mostly forward; now and then a step back and forward again, so a stage is entered twice.
    const path: number[] = [];
    for (let m = 0; m < moves; m++) {
      path.push(++position);
      if (r.next() < 0.2) path.push(position - 1, position);
    }
    for (const index of path) {
      when += r.int(60, 60 * 24 * 20) * minute;
      const stage = open[index]!;
      at(when, () => step(stage));
    }
    const outcome = r.next();
    if (outcome < 0.7) {
      when += r.int(60, 60 * 24 * 30) * minute;
      const stage = stages.find((s) => s.category === (outcome < 0.4 ? 'won' : 'lost'))!;
      const reason = r.pick(['price', 'price', 'timing', 'competitor', null]);
      at(when, () => step(stage, reason));
    }
  }
  for (let i = 0; i < size.interactions; i++) {
    const item = { ownerId: owner(), type: r.pick(['call', 'call', 'email', 'meeting', 'note', 'sms'] as const), occurredAt: iso(base + r.int(0, 60 * 24 * 120) * minute) };
    out.interactions.push(item);
    at(Date.parse(item.occurredAt), async () => {
      await t.interactions.log({ type: item.type, ownerId: item.ownerId, occurredAt: item.occurredAt });
    });
  }
  for (let i = 0; i < size.tasks; i++) {
    const task = { assigneeId: owner(), completedAt: null as string | null };
    out.tasks.push(task);
    const created = base + r.int(0, 60 * 24 * 100) * minute;
    const done = r.next() < 0.7 ? created + r.int(10, 60 * 24 * 30) * minute : undefined;
    let id = '';
    at(created, async () => {
      id = (await t.tasks.create({ title: `Task ${i}`, assigneeId: task.assigneeId })).id;
    });
    if (done !== undefined) {
      at(done, async () => {
        task.completedAt = (await t.tasks.complete(id)).completedAt;
      });
    }
  }
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const e of events) {
    clock.set(iso(e.at));
    await e.run();
  }
  return out;
}
