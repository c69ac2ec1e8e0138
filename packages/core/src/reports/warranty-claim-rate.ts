import { z } from 'zod';
import { assetModel } from '../assets/asset.model.js';
import { caseModel } from '../cases/case.model.js';
import type { TenantContext } from '../common/context.js';
import { idSchema, parseInput, timestampSchema } from '../common/zod-helpers.js';
import type { AggregateMetric } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';
import { share } from './case-groups.js';

/** Options of `reports.warrantyClaimRate`. */
export const warrantyClaimRateOptionsSchema = z
  .strictObject({
    /** Claims opened at or after this instant. */
    from: timestampSchema.optional(),
    /** Claims opened before this instant. */
    to: timestampSchema.optional(),
    /** Only these products. */
    productIds: z.array(idSchema).min(1).max(1000).optional(),
    /** Order of rows. @default 'claimsPerAsset' (highest first) */
    orderBy: z.enum(['claimsPerAsset', 'claims', 'product']).optional().default('claimsPerAsset'),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .optional()
  .default({ orderBy: 'claimsPerAsset' });
/** Options of `reports.warrantyClaimRate`. */
export type WarrantyClaimRateOptions = z.input<typeof warrantyClaimRateOptionsSchema>;

/** One product's line of a warranty-claim report. */
export interface WarrantyClaimRateRow {
  productId: string;
  /** Assets of the product (every status: a replaced unit was in the field too). */
  assets: number;
  /** Warranty-claim cases on those assets. */
  claims: number;
  /** Assets with at least one claim. */
  claimedAssets: number;
  /** claims / assets. */
  claimsPerAsset: number | null;
  /** claimedAssets / assets, 0 to 1. */
  claimedShare: number | null;
}

// Products per claims statement: each is one filtered count with a semi-join on assets.
const productsPerStatement = 50;

/**
 * Warranty claims per asset, by product. Cases carry their asset, not its
 * product, and the storage contract has no joins: assets are counted per
 * product in one aggregate (assets with a claim through a semi-join on the
 * claims), then claims in one aggregate per 50 products, each product a
 * count filtered by a semi-join on its assets. Nothing is loaded row by row.
 */
export async function warrantyClaimRate(ctx: TenantContext, options?: WarrantyClaimRateOptions): Promise<WarrantyClaimRateRow[]> {
  const opts = parseInput(warrantyClaimRateOptionsSchema, options, 'report options');
  const claimWhere: Where = { type: 'warranty_claim' };
  if (opts.from !== undefined || opts.to !== undefined) {
    claimWhere.openedAt = { ...(opts.from !== undefined ? { gte: opts.from } : {}), ...(opts.to !== undefined ? { lt: opts.to } : {}) };
  }
  const products = await ctx.storage.aggregate({
    model: assetModel,
    tenantId: ctx.tenantId,
    ...(opts.productIds ? { where: { productId: { in: opts.productIds } } } : {}),
    groupBy: ['productId'],
    metrics: {
      assets: { fn: 'count' },
      claimed: { fn: 'count', filter: { id: { inQuery: { model: caseModel, field: 'assetId', where: claimWhere } } } },
    },
    orderBy: [{ key: 'productId' }],
  });
  const claims = new Map<string, number>();
  for (let start = 0; start < products.length; start += productsPerStatement) {
    const chunk = products.slice(start, start + productsPerStatement).map((row) => String(row.productId));
    const metrics: Record<string, AggregateMetric> = {};
    chunk.forEach((productId, i) => {
      metrics[`p${i}`] = { fn: 'count', filter: { assetId: { inQuery: { model: assetModel, field: 'id', where: { productId } } } } };
    });
    const [row] = await ctx.storage.aggregate({
      model: caseModel,
      tenantId: ctx.tenantId,
      where: { ...claimWhere, assetId: { ne: null } },
      metrics,
    });
    chunk.forEach((productId, i) => claims.set(productId, Number(row?.[`p${i}`] ?? 0)));
  }
  const rows = products.map((row): WarrantyClaimRateRow => {
    const productId = String(row.productId);
    const assets = Number(row.assets);
    const claimedAssets = Number(row.claimed);
    const count = claims.get(productId) ?? 0;
    return { productId, assets, claims: count, claimedAssets, claimsPerAsset: share(count, assets), claimedShare: share(claimedAssets, assets) };
  });
  // Products are few next to assets and claims; ordering the derived rate here is cheap.
  if (opts.orderBy === 'claimsPerAsset') rows.sort((a, b) => (b.claimsPerAsset ?? 0) - (a.claimsPerAsset ?? 0) || cmp(a.productId, b.productId));
  else if (opts.orderBy === 'claims') rows.sort((a, b) => b.claims - a.claims || cmp(a.productId, b.productId));
  return opts.limit ? rows.slice(0, opts.limit) : rows;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
