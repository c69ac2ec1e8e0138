import type { Pipeline, TenantScope } from '@crmkit/core';
import { importBatches } from './batches.js';
import type { OlistData, OlistDeal } from './olist-data.js';

/** What {@link importOlist} created (or found from an earlier run). */
export interface OlistImport {
  leads: number;
  wonDeals: number;
  existing: { leads: number; deals: number };
  /** Deals won before their lead's first contact (one in the data): entered the pipeline when won. */
  wonBeforeFirstContact: number;
  pipeline: Pipeline;
}

/** The contact's external id: `olist-<mql_id>`. */
export const olistContactId = (leadId: string): string => `olist-${leadId}`;
/** The deal's external id: `olist-deal-<mql_id>` (a lead is won once). */
export const olistDealId = (leadId: string): string => `olist-deal-${leadId}`;

/** The `Olist sellers` pipeline, found by name on a re-run, in BRL. */
async function sellersPipeline(t: TenantScope): Promise<Pipeline> {
  const found = (await t.pipelines.list({ limit: 1000 })).items.find((p) => p.name === 'Olist sellers');
  return found ?? t.pipelines.create({
    name: 'Olist sellers', currency: 'BRL',
    stages: [{ name: 'Qualified', key: 'qualified' }, { name: 'Won', key: 'won', category: 'won' }, { name: 'Lost', key: 'lost', category: 'lost' }],
  });
}

/**
 * Imports the Olist funnel: every MQL as a contact whose `source` is the
 * lead's origin (`mql`, or `customer` once won), and every closed deal as a
 * deal of that contact created straight into `Won`: entered at the first
 * contact date, closed at the won date, `source` the origin, amount the
 * declared monthly revenue (0 when none was declared). Idempotent through
 * external ids.
 * @throws {Error} when the crm refuses a record (the whole batch rolls back)
 * @example
 * const result = await importOlist(crm.tenant('olist'), await readOlist('examples/data/olist'));
 */
export async function importOlist(t: TenantScope, data: OlistData): Promise<OlistImport> {
  const won = new Set(data.deals.map((d) => d.leadId));
  const contacts = await importBatches(t, {
    rows: data.leads,
    records: t.contacts,
    externalId: (l) => olistContactId(l.leadId),
    create: async (tt, rows) => {
      const made = await tt.contacts.createMany(rows.map((l) => ({
        firstName: 'Olist lead', lastName: l.leadId, source: l.origin, externalId: olistContactId(l.leadId),
        lifecycleStage: won.has(l.leadId) ? ('customer' as const) : ('mql' as const),
      })));
      return made.map((c) => c.id);
    },
  });
  const pipeline = await sellersPipeline(t);
  const leads = new Map(data.leads.map((l) => [l.leadId, l]));
  const firstContact = (d: OlistDeal): string => `${leads.get(d.leadId)!.firstContactDate}T00:00:00.000Z`;
  const enteredAt = (d: OlistDeal): string => (d.wonAt < firstContact(d) ? d.wonAt : firstContact(d));
  const wonBeforeFirstContact = data.deals.filter((d) => d.wonAt < firstContact(d)).length;
  const deals = await importBatches(t, {
    rows: data.deals,
    records: t.deals,
    externalId: (d) => olistDealId(d.leadId),
    create: async (tt, rows) => {
      const ids: string[] = [];
      for (const d of rows) {
        const lead = leads.get(d.leadId)!;
        const deal = await tt.deals.create({
          title: `Olist seller${d.businessSegment ? ` (${d.businessSegment.replaceAll('_', ' ')})` : ''}`,
          pipelineId: pipeline.id, stage: 'won', enteredAt: enteredAt(d), closedAt: d.wonAt,
          contactIds: [contacts.ids.get(olistContactId(d.leadId))!], source: lead.origin,
          amount: { minor: d.declaredMonthlyMinor, currency: 'BRL' }, externalId: olistDealId(d.leadId),
        });
        ids.push(deal.id);
      }
      return ids;
    },
  });
  return {
    leads: data.leads.length, wonDeals: data.deals.length, wonBeforeFirstContact, pipeline,
    existing: { leads: contacts.existing, deals: deals.existing },
  };
}
