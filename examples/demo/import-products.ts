import type { ImportMapping, Product, TenantScope } from '@crmkit/core';
import type { ImportIssues } from './import-issues.js';
import { importRows, listAll } from './import-rows.js';
import type { ProductRow } from './read-dataset.js';

/** `products.csv`'s headers as product fields. */
const productMapping: ImportMapping = { columns: { product: 'name', sku: 'sku', series: 'series', sales_price: 'price' } };

/**
 * Turns `products.csv` into the catalogue through `t.imports.run`. The dataset's
 * own rules come first: a product listed twice is rejected, and prices are whole
 * USD without a currency, so the fix writes them as `550 USD`, which the import
 * reads as money in cents. The catalogue has no SKUs, so each product's name
 * serves as one: the opportunities' deal lines name their product by it.
 * @returns the products by name
 */
export async function importProducts(t: TenantScope, rows: ProductRow[], issues: ImportIssues): Promise<Map<string, Product>> {
  const seen = new Set<string>();
  const fixed: Record<'product' | 'sku' | 'series' | 'sales_price', string>[] = [];
  for (const row of rows) {
    if (seen.has(row.product)) {
      issues.rejections.add('duplicate-product', row.product);
      continue;
    }
    seen.add(row.product);
    if (!/^\d+(\.\d{1,2})?$/.test(row.salesPrice)) {
      issues.rejections.add('bad-price', `${row.product}: "${row.salesPrice}"`);
      continue;
    }
    fixed.push({ product: row.product, sku: row.product, series: row.series, sales_price: `${row.salesPrice} USD` });
  }
  await importRows(t, 'product', fixed, ['product', 'sku', 'series', 'sales_price'], productMapping, issues);
  const products = await listAll((o) => t.products.list(o));
  return new Map(products.map((p) => [p.name, p]));
}
