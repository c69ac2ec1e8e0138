import type { z } from 'zod';
import type { Money } from '../common/zod-helpers.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Product } from '../products/product.schema.js';
import type { Row } from '../storage/adapter.js';
import type { Deal, DealLine, dealLineInputSchema } from './deal.schema.js';

/** Maps a stored deal onto the record (money columns into `amount`). */
export function toDeal(row: Row): Deal {
  const { amountMinor, currency, ...rest } = row;
  return { ...(rest as Omit<Deal, 'amount'>), amount: { minor: amountMinor as number | bigint, currency: currency as string } };
}

/** Maps (part of) a deal onto its stored columns. */
export function toDealRow(deal: Partial<Deal>): Row {
  const { amount, ...rest } = deal;
  return amount === undefined ? rest : { ...rest, amountMinor: amount.minor, currency: amount.currency };
}

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
    return { productId: line.productId ?? null, name, quantity: line.quantity, unitPriceMinor, discountPercent: line.discountPercent, totalMinor };
  });
}

/** The sum of line totals. */
export function linesTotal(lines: DealLine[]): number {
  return lines.reduce((sum, line) => sum + line.totalMinor, 0);
}
