import type { z } from 'zod';
import type { Money } from '../common/zod-helpers.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Product } from '../products/product.schema.js';
import type { DealLine, dealLineInputSchema } from './deal.schema.js';

/** `amount x probability / 100`, rounded half away from zero, exact for bigint. */
export function weighted(amount: Money, probability: number): number | bigint {
  if (typeof amount.minor === 'bigint') return (amount.minor * BigInt(probability) + 50n) / 100n;
  return Math.round((amount.minor * probability) / 100);
}

/**
 * Resolves product lines: fills name and price from the catalogue and computes
 * each total. Prices of catalogue products must be in the deal's currency.
 * @throws {NotFoundError} for an unknown product @throws {ValidationError} for a missing price or a currency mismatch
 */
export function resolveLines(
  inputs: z.output<typeof dealLineInputSchema>[],
  products: Map<string, Product>,
  currency: string,
): DealLine[] {
  return inputs.map((line, i) => {
    const product = line.productId ? products.get(line.productId) : undefined;
    if (line.productId && !product) throw new NotFoundError('product', line.productId);
    if (product?.price && line.unitPriceMinor === undefined && product.price.currency !== currency) {
      throw ValidationError.single(
        `Product ${product.name} is priced in ${product.price.currency}, the deal in ${currency}`,
        ['lines', i, 'unitPriceMinor'],
      );
    }
    const unitPriceMinor = line.unitPriceMinor ?? (product?.price ? Number(product.price.minor) : undefined);
    const name = line.name ?? product?.name;
    if (unitPriceMinor === undefined) throw ValidationError.single('A line needs a unit price', ['lines', i, 'unitPriceMinor']);
    if (name === undefined) throw ValidationError.single('A line needs a name or a product', ['lines', i, 'name']);
    const totalMinor = Math.round(line.quantity * unitPriceMinor * (1 - line.discountPercent / 100));
    // A float beyond 2^53 has lost its cents; the database would store it rounded (SQLite) or refuse it (Postgres).
    if (!Number.isSafeInteger(totalMinor)) {
      throw ValidationError.single('The line total is beyond 2^53 - 1 minor units; split the line', ['lines', i, 'quantity']);
    }
    return { productId: line.productId ?? null, name, quantity: line.quantity, unitPriceMinor, discountPercent: line.discountPercent, totalMinor };
  });
}

/** The sum of line totals. @throws {ValidationError} beyond 2^53 - 1 minor units */
export function linesTotal(lines: DealLine[]): number {
  const total = lines.reduce((sum, line) => sum + line.totalMinor, 0);
  if (!Number.isSafeInteger(total)) throw ValidationError.single('The lines add up to more than 2^53 - 1 minor units; give the amount as a bigint', ['lines']);
  return total;
}
