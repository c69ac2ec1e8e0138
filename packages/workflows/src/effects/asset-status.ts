import type { AssetStatus } from '@crmkit/core';
import type { EffectContext } from './effect.js';

/** Params of the built-in `setAssetStatus` effect. */
export interface SetAssetStatusParams extends Record<string, unknown> {
  assetId: string;
  status: Exclude<AssetStatus, 'replaced'>;
}

/** Params of the built-in `replaceAsset` effect. */
export interface ReplaceAssetParams extends Record<string, unknown> {
  assetId: string;
  /** The new unit's serial number, if known. */
  serialNumber?: string | null;
}

/** Built-in `setAssetStatus`: `assets.setStatus`. A retry sets the status the asset has, which changes nothing. */
export async function setAssetStatus(ctx: EffectContext<SetAssetStatusParams>): Promise<void> {
  await ctx.tenant.assets.setStatus(ctx.params.assetId, ctx.params.status);
}

/**
 * Built-in `replaceAsset`: `assets.replace`, the new unit taking over the
 * coverage. Once: an asset already replaced (by an earlier attempt of this
 * job whose outcome was lost) is left as it is.
 */
export async function replaceAsset(ctx: EffectContext<ReplaceAssetParams>): Promise<void> {
  const { assetId, serialNumber } = ctx.params;
  const asset = await ctx.tenant.assets.get(assetId);
  if (asset.status === 'replaced') return;
  await ctx.tenant.assets.replace(assetId, serialNumber ? { serialNumber } : {});
}
