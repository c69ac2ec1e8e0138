import { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses `input` with `schema`, turning a zod failure into {@link ValidationError}
 * that carries every issue. Every public method starts here, before any storage call.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, what);
  return result.data;
}

/** A record id: generated ids are ULIDs, imported ones may be any short string. */
export const idSchema = z.string().min(1).max(64);

/** A tenant id: short, printable, no whitespace. */
export const tenantIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'Tenant ids use letters, digits and . _ : -');

/** An instant at the boundary: ISO string or Date; stored as an ISO UTC string. */
export const timestampSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date(), z.date()])
  .transform((value, ctx) => {
    const date = value instanceof Date ? value : new Date(value);
    const time = date.getTime();
    if (Number.isNaN(time) || time < -62_135_596_800_000 || time > 253_402_300_799_999) {
      ctx.addIssue({ code: 'custom', message: 'Invalid timestamp' });
      return z.NEVER;
    }
    return date.toISOString();
  });

/** A calendar date `YYYY-MM-DD` (a Date is accepted and read in UTC). */
export const dateSchema = z
  .union([z.iso.date(), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value));

/** Tags: short trimmed strings, de-duplicated, order kept. */
export const tagsSchema = z
  .array(z.string().trim().min(1).max(64))
  .max(100)
  .transform((tags) => [...new Set(tags)]);

/** The active ISO 4217 currency codes, as the runtime's ICU data knows them (USD, EUR, JPY...). */
const isoCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 currency code, any case; stored upper-case. */
export const currencySchema = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'Currency is a three-letter ISO 4217 code')
  .transform((code) => code.toUpperCase())
  .refine((code) => isoCurrencies.has(code), { message: 'Not an ISO 4217 currency code' });

/** The largest amount in minor units a 64-bit column holds. */
export const maxMinorUnits = 2n ** 63n - 1n;

/**
 * Money in integer minor units (cents) of a currency. Amounts are never
 * negative: a refund or a credit is a record of its own (a returned order, a
 * credit note), not a negative deal or price. Beyond 2^53 pass a bigint; at
 * most 2^63 - 1, what the database's 64-bit integer holds.
 */
export const moneySchema = z.strictObject({
  minor: z.union([
    z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    z.bigint().min(0n).max(maxMinorUnits, 'An amount holds at most 2^63 - 1 minor units'),
  ]),
  currency: currencySchema,
});

/** Money: an amount in integer minor units (cents) and its ISO 4217 currency. */
export type Money = { minor: number | bigint; currency: string };

/** Optional short text: trimmed, empty becomes absent. */
export const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    // One transform, not trim then null: each is a pipe zod runs per value, and a
    // contact has eleven such fields (the bulk-import profile, docs/performance.md).
    .transform((s) => {
      const trimmed = s.trim();
      return trimmed === '' ? null : trimmed;
    })
    .nullable()
    .optional();

/** Options of a versioned write. */
export const writeOptionsSchema = z
  .strictObject({ expectedVersion: z.number().int().min(1).optional() })
  .optional()
  .default({});

/** Options accepted by every update and delete. */
export interface WriteOptions {
  /**
   * Fail with `ConflictError` unless the record is still at this version, so a
   * concurrent change is never silently overwritten.
   */
  expectedVersion?: number;
}
