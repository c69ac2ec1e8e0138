import { defineEntity } from '../entities/entity.js';
import { productModel } from './product.model.js';
import type { Product } from './product.schema.js';

type ProductRow = NonNullable<(typeof productModel)['rowType']>;

function toProduct(row: ProductRow): Product {
  const { priceMinor, currency, ...rest } = row;
  return { ...rest, price: priceMinor === null || currency === null ? null : { minor: priceMinor, currency } };
}

function toProductRow(product: Partial<Product>): Partial<ProductRow> {
  const { price, ...rest } = product;
  if (price === undefined) return rest;
  return { ...rest, priceMinor: price?.minor ?? null, currency: price?.currency ?? null };
}

/** The product catalogue. */
export const productEntity = defineEntity({
  name: 'product', service: 'products', model: productModel, toRecord: toProduct, toRow: toProductRow,
  customizable: true, ownable: true, taskLinkable: false, idempotentCreate: false,
});
