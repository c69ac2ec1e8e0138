import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { dateSchema, idSchema, optionalText } from '../common/zod-helpers.js';

/** Where an asset stands. `replaced` is reached through `assets.replace` only. */
export const assetStatuses = ['active', 'in_repair', 'replaced', 'retired'] as const;
/** One of {@link assetStatuses}. */
export type AssetStatus = (typeof assetStatuses)[number];

const assetFields = z.strictObject({
  productId: idSchema,
  /** Unique per tenant and product; absent for products without serials. */
  serialNumber: optionalText(128),
  /** @default the product's name */
  name: z.string().trim().min(1).max(200).optional(),
  /** @default the order's contact */
  contactId: idSchema.nullable().optional(),
  /** @default the order's company */
  companyId: idSchema.nullable().optional(),
  /** The order it was bought with. @default the order of `orderLineId` */
  orderId: idSchema.nullable().optional(),
  /** The order line it was bought with: a line of `orderId`, for the asset's product. */
  orderLineId: idSchema.nullable().optional(),
  /** `YYYY-MM-DD`. @default the day the order was placed (UTC) */
  purchasedAt: dateSchema.nullable().optional(),
  /** `YYYY-MM-DD`. */
  installedAt: dateSchema.nullable().optional(),
  /** Where it is installed: a site, an address, a room. */
  location: optionalText(300),
  externalId: optionalText(128),
  ...ownedInputShape,
});

/** Input of `assets.create`. */
export const assetInputSchema = assetFields;
/** Input of `assets.create`. */
export type AssetInput = z.input<typeof assetInputSchema>;

/** Input of `assets.update` (the product and the purchase are fixed; status moves through `setStatus` and `replace`). */
export const assetPatchSchema = assetFields.omit({ productId: true, orderId: true, orderLineId: true }).partial();
/** Input of `assets.update`. */
export type AssetPatch = z.input<typeof assetPatchSchema>;

/** Input of `assets.replace`: the replacement; what is not given is the old asset's (installed today). */
export const replaceInputSchema = z.strictObject({
  serialNumber: optionalText(128),
  /** A replacement by another model. @default the old asset's product */
  productId: idSchema.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  /** @default today */
  installedAt: dateSchema.nullable().optional(),
  location: optionalText(300),
  externalId: optionalText(128),
});
/** Input of `assets.replace`. */
export type ReplaceInput = z.input<typeof replaceInputSchema>;

/** A product a customer owns. */
export interface Asset extends OwnedRecord {
  productId: string;
  serialNumber: string | null;
  name: string;
  contactId: string | null;
  companyId: string | null;
  orderId: string | null;
  orderLineId: string | null;
  /** `YYYY-MM-DD`. */
  purchasedAt: string | null;
  /** `YYYY-MM-DD`. */
  installedAt: string | null;
  location: string | null;
  status: AssetStatus;
  /** The asset that replaced this one. */
  replacedById: string | null;
  externalId: string | null;
}
