import type { TenantContext } from '../common/context.js';
import type { Page } from '../common/list.js';
import { parseInput, timestampSchema } from '../common/zod-helpers.js';
import type { Asset } from '../assets/asset.schema.js';
import type { Where } from '../storage/where.js';
import type { CaseType } from './case-types.js';
import { contractAssetModel } from './contract.model.js';
import type { Contract, CoverageCheck, ExpiringOptions } from './contract.schema.js';
import { addDays } from './contract-dates.js';
import { inForce } from './contract-status.js';
import type { ContractStore } from './contract-writes.js';

/** The contracts linked to an asset (or to any of `{ in: ids }`), as a semi-join (an asset may be on many contracts over the years). */
export function linkedTo(assetId: string | { in: string[] }): Where {
  return { id: { inQuery: { model: contractAssetModel, field: 'contractId', where: { assetId } } } };
}

/** The calendar day (UTC) of an instant or date given at the boundary. @throws {ValidationError} for anything else */
export function dayOf(at: string | Date, what: string): string {
  return parseInput(timestampSchema, at, what).slice(0, 10);
}

/** The coverage of one asset on a day: see {@link coverageOfAssets}, which holds the rule. */
export async function coverageOf(store: ContractStore, asset: Asset, day: string, caseType: CaseType | undefined): Promise<CoverageCheck> {
  const [check] = await coverageOfAssets(store, [asset], day, caseType);
  return check!;
}

/**
 * The contracts covering each of many assets on a day, in the assets' order:
 * in force (active, or renewed while its own period runs), the day within
 * start..end inclusive, linked to the asset or covering its product for the
 * asset's own contact or company, and, when a case type is given, covering
 * that type. A product-level contract never covers another customer's asset
 * of the same product. At most two queries whatever the number of assets
 * (every contract that may cover one of them, then which of those are linked
 * to which asset); the rule is then applied per asset in memory. The one
 * path of `contracts.isCovered` and of the customer view.
 */
export async function coverageOfAssets(
  store: ContractStore,
  assets: readonly Asset[],
  day: string,
  caseType: CaseType | undefined,
): Promise<CoverageCheck[]> {
  if (assets.length === 0) return [];
  const assetIds = unique(assets.map((a) => a.id));
  const owners: Where[] = [];
  const contactIds = unique(assets.map((a) => a.contactId));
  const companyIds = unique(assets.map((a) => a.companyId));
  if (contactIds.length > 0) owners.push({ contactId: { in: contactIds } });
  if (companyIds.length > 0) owners.push({ companyId: { in: companyIds } });
  const covering: Where[] = [linkedTo({ in: assetIds })];
  if (owners.length > 0) {
    const products = unique(assets.map((a) => a.productId)).map((productId): Where => ({ productIds: { has: productId } }));
    covering.push({ and: [{ or: products }, { or: owners }] });
  }
  const candidates = (await store.all(
    { status: { in: [...inForce] }, startDate: { lte: day }, endDate: { gte: day }, or: covering },
    [{ field: 'endDate', direction: 'desc' }],
  )).filter((c) => caseType === undefined || c.coverage.caseTypes === null || c.coverage.caseTypes.includes(caseType));
  const links = candidates.length === 0 ? [] : await store.ctx.storage.findMany({
    model: contractAssetModel, tenantId: store.ctx.tenantId,
    where: { contractId: { in: candidates.map((c) => c.id) }, assetId: { in: assetIds } }, select: ['contractId', 'assetId'],
  });
  const linked = new Set(links.map((l) => `${l.contractId}\0${l.assetId}`));
  return assets.map((asset) => {
    const contracts = candidates.filter((c) =>
      linked.has(`${c.id}\0${asset.id}`)
      || (c.productIds.includes(asset.productId)
        && ((asset.contactId !== null && c.contactId === asset.contactId) || (asset.companyId !== null && c.companyId === asset.companyId))));
    return { covered: contracts.length > 0, contracts };
  });
}

function unique(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}

/** Active contracts whose end date falls between today and `withinDays` days on, soonest first, paged. */
export function expiringContracts(ctx: TenantContext, store: ContractStore, opts: ExpiringOptions): Promise<Page<Contract>> {
  const today = ctx.now().slice(0, 10);
  const where: Where = { status: 'active', endDate: { gte: today, lte: addDays(today, opts.withinDays) } };
  if (opts.kinds) where.kind = { in: opts.kinds };
  return store.list({ where, orderBy: { endDate: 'asc' }, limit: opts.limit ?? 50, ...(opts.cursor ? { cursor: opts.cursor } : {}) });
}
