import type { z } from 'zod';
import type { WriteScope } from '../common/context.js';
import { newId } from '../common/ids.js';
import { maxMinorUnits } from '../common/zod-helpers.js';
import type { Deal } from '../deals/deal.schema.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Product } from '../products/product.schema.js';
import type { NewRow } from '../storage/adapter.js';
import type { OrderLine, orderLineInputSchema } from './order.schema.js';

/** An order line before it is stored: what the input or a deal line resolves to. */
export interface ResolvedLine {
  productId: string | null;
  name: string;
  quantity: number;
  unitPriceMinor: number | bigint;
  discountMinor: number | bigint;
  totalMinor: number | bigint;
}

/** A computed amount as storage exchanges it: a number while safe, else the bigint. */
function minor(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * Resolves line inputs: name and unit price default to the product's, and each
 * total is computed exactly (in bigint) as quantity x unit price - discount.
 * @throws {NotFoundError} for a product of no line's tenant @throws {ValidationError} for a missing price or name,
 * a product priced in another currency, a discount above the line's amount or a total beyond 2^63 - 1
 */
export function resolveOrderLines(inputs: z.output<typeof orderLineInputSchema>[], products: Map<string, Product>, currency: string): ResolvedLine[] {
  return inputs.map((line, i) => {
    const product = line.productId ? products.get(line.productId) : undefined;
    if (line.productId && !product) throw new NotFoundError('product', line.productId);
    if (product?.price && line.unitPriceMinor === undefined && product.price.currency !== currency) {
      throw ValidationError.single(`Product ${product.name} is priced in ${product.price.currency}, the order in ${currency}`, ['lines', i, 'unitPriceMinor']);
    }
    const unitPriceMinor = line.unitPriceMinor ?? product?.price?.minor;
    const name = line.name ?? product?.name;
    if (unitPriceMinor === undefined) throw ValidationError.single('A line needs a unit price', ['lines', i, 'unitPriceMinor']);
    if (name === undefined) throw ValidationError.single('A line needs a name or a product', ['lines', i, 'name']);
    const gross = BigInt(line.quantity) * BigInt(unitPriceMinor);
    const discount = BigInt(line.discountMinor);
    if (discount > gross) throw ValidationError.single('The discount is more than the line amount', ['lines', i, 'discountMinor']);
    if (gross > maxMinorUnits) throw ValidationError.single('The line amount is beyond 2^63 - 1 minor units', ['lines', i, 'quantity']);
    return { productId: line.productId ?? null, name, quantity: line.quantity, unitPriceMinor, discountMinor: line.discountMinor, totalMinor: minor(gross - discount) };
  });
}

/** The sum of line totals, exact. @throws {ValidationError} beyond 2^63 - 1 minor units */
export function linesTotal(lines: readonly ResolvedLine[]): number | bigint {
  const total = lines.reduce((sum, line) => sum + BigInt(line.totalMinor), 0n);
  if (total > maxMinorUnits) throw ValidationError.single('The lines add up to more than 2^63 - 1 minor units', ['lines']);
  return minor(total);
}

/**
 * The order lines of a deal: its product lines, or one line of its amount
 * named after the deal when it has none. Deal lines may have fractional
 * quantities (hours, kilograms) and a percent discount; order lines count
 * whole units, so a fractional line becomes one unit at the line's gross
 * amount with the discount in minor units, keeping the deal's line total.
 */
export function linesFromDeal(deal: Deal): ResolvedLine[] {
  if (deal.lines.length === 0) {
    return [{ productId: null, name: deal.title, quantity: 1, unitPriceMinor: deal.amount.minor, discountMinor: 0, totalMinor: deal.amount.minor }];
  }
  return deal.lines.map((line) => {
    const whole = Number.isInteger(line.quantity);
    const quantity = whole ? line.quantity : 1;
    const unitPriceMinor = whole ? line.unitPriceMinor : Math.round(line.quantity * line.unitPriceMinor);
    const discountMinor = Math.max(0, quantity * unitPriceMinor - line.totalMinor);
    return { productId: line.productId, name: line.name, quantity, unitPriceMinor, discountMinor, totalMinor: quantity * unitPriceMinor - discountMinor };
  });
}

/** The stored rows of an order's lines, numbered from 1 in the order given. */
export function lineRows(
  w: WriteScope,
  order: { id: string; contactId: string | null; placedAt: string; total: { currency: string } },
  lines: readonly ResolvedLine[],
): NewRow<OrderLine>[] {
  return lines.map((line, i) => ({
    tenantId: w.ctx.tenantId, id: newId(), createdAt: w.now, updatedAt: w.now,
    orderId: order.id, position: i + 1, ...line, currency: order.total.currency, contactId: order.contactId, placedAt: order.placedAt,
  }));
}
