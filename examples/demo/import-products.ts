import type { Product, TenantScope } from '@crmkit/core';
import type { ImportIssues } from './import-issues.js';
import type { ProductRow } from './read-dataset.js';

/**
 * Turns `products.csv` into the catalogue; prices are whole USD, stored in cents.
 * @returns the products by name
 */
export async function importProducts(t: TenantScope, rows: ProductRow[], issues: ImportIssues): Promise<Map<string, Product>> {
  const products = new Map<string, Product>();
  for (const row of rows) {
    if (products.has(row.product)) {
      issues.rejections.add('duplicate-product', row.product);
      continue;
    }
    if (!/^\d+(\.\d{1,2})?$/.test(row.salesPrice)) {
      issues.rejections.add('bad-price', `${row.product}: "${row.salesPrice}"`);
      continue;
    }
    const price = { minor: Math.round(Number(row.salesPrice) * 100), currency: 'USD' };
    products.set(row.product, await t.products.create({ name: row.product, series: row.series, price }));
  }
  return products;
}
