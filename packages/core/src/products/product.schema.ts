import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { type Money, moneySchema, optionalText } from '../common/zod-helpers.js';

/** Input of `products.create`. */
export const productInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  sku: optionalText(64),
  series: optionalText(100),
  /** List price per unit. */
  price: moneySchema.nullable().optional(),
  warrantyMonths: z.number().int().min(0).max(1200).nullable().optional(),
  active: z.boolean().optional().default(true),
  ...ownedInputShape,
});
/** Input of `products.create`. */
export type ProductInput = z.input<typeof productInputSchema>;

/** Input of `products.update`. */
export const productPatchSchema = productInputSchema.partial().extend({ active: z.boolean().optional() });
/** Input of `products.update`. */
export type ProductPatch = z.input<typeof productPatchSchema>;

/** A catalogue product. */
export interface Product extends OwnedRecord {
  name: string;
  sku: string | null;
  series: string | null;
  price: Money | null;
  warrantyMonths: number | null;
  active: boolean;
}
