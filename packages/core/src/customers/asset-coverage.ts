import type { Asset } from '../assets/asset.schema.js';
import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { contractEntity } from '../contracts/contract.entity.js';
import { coverageOfAssets as coverageChecks } from '../contracts/coverage.js';
import type { AssetCoverage } from './customer-view.schema.js';

/** The coverage of many assets on one day, for any case type: `contracts.isCovered`'s rule, in a bounded number of queries. */
export async function coverageOfAssets(ctx: TenantContext, assets: readonly Asset[], day: string): Promise<AssetCoverage[]> {
  const checks = await coverageChecks(new EntityStore(ctx, contractEntity), assets, day, undefined);
  return assets.map((asset, i) => ({ asset, ...checks[i]! }));
}
