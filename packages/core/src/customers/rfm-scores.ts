import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { newId } from '../common/ids.js';
import { currencySchema, dateSchema, parseInput } from '../common/zod-helpers.js';
import { DuplicateError } from '../errors.js';
import { type RfmCustomer, rfm } from '../reports/customers/rfm.js';
import { purchaseScopeShape } from '../reports/customers/scope.js';
import { rfmScoreModel } from './rfm-scores.model.js';

/** Options of `customers.refreshRfmScores`: those of `reports.rfm` that decide the scores. */
export const rfmScoresOptionsSchema = z
  .strictObject({
    /** The day recency counts to; only orders placed before it count. @default the day after the last counted order's (UTC) date */
    referenceDate: dateSchema.optional(),
    /** The currency of M (amounts are never converted). @default the orders' currency; required when they have several */
    currency: currencySchema.optional(),
    /** The orders that count as purchases. @default ['placed', 'paid', 'fulfilled'] */
    statuses: purchaseScopeShape.statuses,
    /** Customers read from the report and written per statement, 1 to 1000: bounds the memory of a refresh. @default 1000 */
    batchSize: z.number().int().min(1).max(1000).optional().default(1000),
  })
  .optional()
  .default({ statuses: ['placed', 'paid', 'fulfilled'], batchSize: 1000 });
/** Options of `customers.refreshRfmScores`. */
export type RfmScoresOptions = z.input<typeof rfmScoresOptionsSchema>;

/** What `customers.refreshRfmScores` stored. */
export interface RfmScoresRefresh {
  /** The reference date the scores count to, `YYYY-MM-DD`. */
  referenceDate: string;
  /** The currency of M; null when the tenant has no counted order (then no scores are stored). */
  currency: string | null;
  /** Customers scored and stored. */
  scored: number;
  /** Scores of the previous refresh replaced (deleted), including those of customers who no longer qualify. */
  replaced: number;
  /** When the scores were computed (the time of the call), ISO UTC. */
  computedAt: string;
}

/** A customer's stored RFM scores: the row of `reports.rfm` as of the last refresh. */
export interface StoredRfmScore extends RfmCustomer {
  /** `YYYY-MM-DD`. */
  referenceDate: string;
  /** ISO UTC. */
  computedAt: string;
}

type ScoreRow = NonNullable<(typeof rfmScoreModel)['rowType']>;

/** Attempts of a refresh that lost a race with a concurrent refresh of the same tenant. */
const attempts = 3;

/**
 * Recomputes the tenant's RFM scores and stores them, replacing the previous
 * ones, in one transaction. The report is read a page at a time (keyset on
 * the contact id) inside that transaction, each page written as one
 * statement, so memory holds one page whatever the number of customers. The
 * first page fixes the reference date and the currency; the later ones pass
 * them, so every page scores against the same date. Writes no event: a
 * refresh is bookkeeping, and the segments reading it announce their own
 * membership changes.
 *
 * On Postgres the statements of one transaction each see the orders
 * committed when they start (read committed), so orders committed during a
 * long refresh may shift the scores of its later pages; a refresh after them
 * settles it. Two refreshes of one tenant at once: the one that loses the race
 * on a contact's row runs again after the other committed (outside a host
 * transaction; inside one the error is the caller's).
 * @throws {ValidationError} for invalid options, or orders in several currencies without `currency`
 * @throws {DuplicateError} when it lost that race inside a host transaction, or three times in a row
 */
export async function refreshRfmScores(ctx: TenantContext, options?: RfmScoresOptions): Promise<RfmScoresRefresh> {
  const opts = parseInput(rfmScoresOptionsSchema, options, 'RFM score options');
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.write((w) => replaceScores(w, opts));
    } catch (error) {
      const lost = error instanceof DuplicateError && error.entity === rfmScoreModel.name;
      if (!lost || ctx.unit !== undefined || attempt >= attempts) throw error;
    }
  }
}

async function replaceScores(w: WriteScope, opts: z.output<typeof rfmScoresOptionsSchema>): Promise<RfmScoresRefresh> {
  const { tenantId } = w.ctx;
  // The report's reads must run on this transaction: through the adapter they would wait for it (SQLite) or miss it.
  // Scores are the tenant's, not the actor's: computed over every contact, whoever asks.
  const inUnit = w.ctx.inUnit(w.unit).asSystem();
  const replaced = await w.tx.deleteMany({ model: rfmScoreModel, tenantId, where: {} });
  // Unset until the first page resolves them; every later page passes them so that all score against the same date.
  const fixed: { referenceDate?: string; currency?: string } = {
    ...(opts.referenceDate === undefined ? {} : { referenceDate: opts.referenceDate }),
    ...(opts.currency === undefined ? {} : { currency: opts.currency }),
  };
  let referenceDate = '';
  let currency: string | null = null;
  let cursor: string | undefined;
  let scored = 0;
  do {
    const report = await rfm(inUnit, { ...fixed, statuses: opts.statuses, limit: opts.batchSize, ...(cursor === undefined ? {} : { cursor }) });
    ({ referenceDate, currency } = report);
    fixed.referenceDate = referenceDate;
    if (currency !== null) fixed.currency = currency;
    if (report.list.items.length > 0) {
      await w.tx.createMany({ model: rfmScoreModel, tenantId, rows: report.list.items.map((c) => scoreRow(c, referenceDate, w.now)) });
      scored += report.list.items.length;
    }
    cursor = report.list.nextCursor;
  } while (cursor !== undefined);
  return { referenceDate, currency, scored, replaced, computedAt: w.now };
}

function scoreRow(c: RfmCustomer, referenceDate: string, now: string) {
  return {
    id: newId(), createdAt: now, updatedAt: now, contactId: c.contactId, lastOrderAt: c.lastOrderAt, recencyDays: c.recencyDays,
    frequency: c.frequency, monetaryMinor: c.monetary.minor, currency: c.monetary.currency, r: c.r, f: c.f, m: c.m,
    cell: c.cell, segment: c.segment, referenceDate, computedAt: now,
  };
}

/** The stored scores of a contact, or null when the last refresh did not score it (or none ran). */
export async function storedRfmScore(ctx: TenantContext, contactId: string): Promise<StoredRfmScore | null> {
  const [row] = await ctx.storage.findMany({ model: rfmScoreModel, tenantId: ctx.tenantId, where: { contactId }, limit: 1 });
  return row === undefined ? null : toStoredScore(row);
}

function toStoredScore(row: ScoreRow): StoredRfmScore {
  return {
    contactId: row.contactId, lastOrderAt: row.lastOrderAt, recencyDays: row.recencyDays, frequency: row.frequency,
    monetary: { minor: row.monetaryMinor, currency: row.currency },
    r: row.r, f: row.f, m: row.m, cell: row.cell, segment: row.segment,
    referenceDate: row.referenceDate, computedAt: row.computedAt,
  };
}
