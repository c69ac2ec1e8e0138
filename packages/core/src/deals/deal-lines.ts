import type { AuditChange } from '../audit/audit.schema.js';
import type { WriteScope } from '../common/context.js';
import type { Deal, DealStatus } from './deal.schema.js';
import { dealLineModel } from './deal-lines.model.js';

/*
 * The line table is derived from the deals: every write of a deal that changes
 * its lines, currency, status, close time or loss reason brings its line rows
 * in step in the same transaction, so a report never sees the two disagree.
 */

/** What the lines copy of their deal, besides the lines themselves. */
export interface DealLineState {
  id: string;
  status: DealStatus;
  closedAt: string | null;
  lostReason: string | null;
}

/** Deal fields (as stored) whose change rewrites the line rows, and those copied onto them. */
const rewriting = new Set(['lines', 'currency']);
const copied = new Set(['status', 'closedAt', 'lostReason']);

function lineRows(w: WriteScope, deal: Deal) {
  return deal.lines.map((line, position) => ({
    // The position makes the id: two lines of one product stay two rows, and a rewrite reuses the ids.
    id: `${deal.id}:${position}`, createdAt: w.now, updatedAt: w.now, dealId: deal.id, position,
    productId: line.productId, quantity: line.quantity, amountMinor: line.totalMinor, currency: deal.amount.currency,
    status: deal.status, closedAt: deal.closedAt, lostReason: deal.lostReason,
  }));
}

/** Writes the line rows of new deals, in one `createMany`. */
export async function insertDealLines(w: WriteScope, deals: readonly Deal[]): Promise<void> {
  const rows = deals.flatMap((deal) => lineRows(w, deal));
  if (rows.length > 0) await w.tx.createMany({ model: dealLineModel, tenantId: w.ctx.tenantId, rows });
}

/** Deletes the line rows of a deal (the deal is deleted, or its lines are rewritten). */
export async function deleteDealLines(w: WriteScope, dealId: string): Promise<void> {
  await w.tx.deleteMany({ model: dealLineModel, tenantId: w.ctx.tenantId, where: { dealId } });
}

/**
 * Brings a deal's line rows in step after a write whose audited `changes`
 * are given: rewritten when the lines or the currency changed, their copied
 * fields updated in one statement when only those changed, untouched otherwise.
 */
export async function syncDealLines(w: WriteScope, after: Deal, changes: readonly AuditChange[]): Promise<void> {
  if (changes.some((change) => rewriting.has(change.field))) {
    await deleteDealLines(w, after.id);
    await insertDealLines(w, [after]);
  } else if (changes.some((change) => copied.has(change.field))) {
    await syncLineStates(w, [after]);
  }
}

/**
 * Copies status, close time and loss reason of many deals onto their lines:
 * one `updateMany` per distinct combination (deals closed by one write share
 * one), never a statement per line.
 */
export async function syncLineStates(w: WriteScope, deals: readonly DealLineState[]): Promise<void> {
  const byState = new Map<string, { state: Omit<DealLineState, 'id'>; ids: string[] }>();
  for (const deal of deals) {
    const state = { status: deal.status, closedAt: deal.closedAt, lostReason: deal.lostReason };
    const key = JSON.stringify(state);
    const group = byState.get(key) ?? byState.set(key, { state, ids: [] }).get(key)!;
    group.ids.push(deal.id);
  }
  for (const { state, ids } of byState.values()) {
    await w.tx.updateMany({ model: dealLineModel, tenantId: w.ctx.tenantId, where: { dealId: { in: ids } }, data: { ...state, updatedAt: w.now } });
  }
}
