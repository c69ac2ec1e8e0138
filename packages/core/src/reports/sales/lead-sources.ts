import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { parseInput } from '../../common/zod-helpers.js';
import { contactModel } from '../../contacts/contact.model.js';
import type { LifecycleStage } from '../../contacts/contact.schema.js';
import { dealContactModel, dealModel } from '../../deals/deal.model.js';
import type { GroupKey } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { compareKeys } from './report-rows.js';
import { boundaryInstant, boundarySchema, periodGroup, periodShape } from './report-period.js';

/** The lifecycle stages of a contact that has been a customer: `churned` and `evangelist` ones were customers first. */
export const customerLifecycleStages = ['customer', 'evangelist', 'churned'] as const satisfies readonly LifecycleStage[];

/** What `reports.leadSources` groups contacts by: their `source`, and the period they were created in. */
export const leadSourceDimensions = ['source', 'period'] as const;
/** One of {@link leadSourceDimensions}. */
export type LeadSourceDimension = (typeof leadSourceDimensions)[number];

const dimension = z.enum(leadSourceDimensions);

/** Options of `reports.leadSources`. */
export const leadSourcesOptionsSchema = z
  .strictObject({
    /** One dimension or both. @default 'source' */
    by: z.union([dimension, z.array(dimension).min(1).max(2)]).optional().default('source'),
    ...periodShape,
    /** Contacts created at or after this instant (a date: its midnight in `timeZone`). */
    from: boundarySchema.optional(),
    /** Contacts created before this instant. */
    to: boundarySchema.optional(),
  })
  .optional()
  .default({ by: 'source', period: 'month', timeZone: 'UTC' });
/** Options of `reports.leadSources`. */
export type LeadSourcesOptions = z.input<typeof leadSourcesOptionsSchema>;

/** How the contacts of one source converted. */
export interface LeadSourceRow {
  /** The contacts' `source` (null: none recorded), when grouping by source. */
  source?: string | null;
  /** First day of the creation period, `YYYY-MM-DD` in the report's zone, when grouping by period. */
  period?: string;
  /** Contacts in the group. */
  contacts: number;
  /** Those whose lifecycle stage is a customer one ({@link customerLifecycleStages}). */
  customers: number;
  /** Those linked to at least one won deal. */
  withWonDeal: number;
  /** Those that are customers or have a won deal (either counts as converted). */
  converted: number;
  /** converted / contacts, from 0 to 1. */
  conversionRate: number;
}

/**
 * Contacts per source (and/or creation period) and how many converted: one
 * SQL aggregate, the won deals reached through a semi-join on the deal links.
 * Rows are ordered by their keys, the contacts without source last.
 */
export async function leadSources(ctx: TenantContext, options?: LeadSourcesOptions): Promise<LeadSourceRow[]> {
  const opts = parseInput(leadSourcesOptionsSchema, options, 'report options');
  const dims = [...new Set(Array.isArray(opts.by) ? opts.by : [opts.by])].sort((a, b) => leadSourceDimensions.indexOf(a) - leadSourceDimensions.indexOf(b));
  const where: Where = {};
  const createdAt: Record<string, string> = {};
  if (opts.from) createdAt.gte = boundaryInstant(opts.from, opts.timeZone);
  if (opts.to) createdAt.lt = boundaryInstant(opts.to, opts.timeZone);
  if (opts.from || opts.to) where.createdAt = createdAt;
  const customer: Where = { lifecycleStage: { in: [...customerLifecycleStages] } };
  const wonDeal: Where = {
    id: { inQuery: { model: dealContactModel, field: 'contactId', where: { dealId: { inQuery: { model: dealModel, field: 'id', where: { status: 'won' } } } } } },
  };
  const groupBy: GroupKey[] = dims.map((d) => (d === 'period' ? periodGroup('createdAt', opts) : 'source'));
  const rows = await ctx.storage.aggregate({
    model: contactModel,
    tenantId: ctx.tenantId,
    where,
    groupBy,
    metrics: {
      contacts: { fn: 'count' },
      customers: { fn: 'count', filter: customer },
      withWonDeal: { fn: 'count', filter: wonDeal },
      converted: { fn: 'count', filter: { or: [customer, wonDeal] } },
    },
  });
  const result = rows.map((row): LeadSourceRow => {
    const contacts = Number(row.contacts);
    const converted = Number(row.converted);
    return {
      ...(dims.includes('source') ? { source: (row.source as string | null) ?? null } : {}),
      ...(dims.includes('period') ? { period: row.period as string } : {}),
      contacts,
      customers: Number(row.customers),
      withWonDeal: Number(row.withWonDeal),
      converted,
      conversionRate: contacts === 0 ? 0 : converted / contacts,
    };
  });
  return result.sort((a, b) => compareKeys([a.source ?? null, a.period ?? null], [b.source ?? null, b.period ?? null]));
}
