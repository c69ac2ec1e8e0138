import { z } from 'zod';

/**
 * Bounds on what one input may hold, checked before any write so that a
 * hostile or broken caller cannot make crmkit store (or echo back in an
 * error) megabytes it never meant to. Hosts tune them with
 * `createCrm({ limits })`; docs/limits.md lists every limit.
 */
export interface InputLimits {
  /**
   * Longest long-text field (interaction bodies, task descriptions), in characters.
   * @default 100000
   */
  textLength: number;
  /**
   * Largest `custom` object of a record, as JSON text, in characters.
   * @default 65536
   */
  customSize: number;
  /**
   * Deepest nesting of objects and arrays inside `custom` (`{ a: { b: 1 } }` is 2).
   * @default 8
   */
  customDepth: number;
  /**
   * Most keys of one object inside `custom` (its top level included).
   * @default 64
   */
  customKeys: number;
  /**
   * Most elements of one array inside `custom`.
   * @default 1000
   */
  customArrayLength: number;
  /**
   * Longest string inside `custom` (keys and values), in characters.
   * @default 10000
   */
  customStringLength: number;
}

/** The limits of a `Crm` that does not set its own. */
export const defaultLimits: Readonly<InputLimits> = Object.freeze({
  textLength: 100_000,
  customSize: 65_536,
  customDepth: 8,
  customKeys: 64,
  customArrayLength: 1000,
  customStringLength: 10_000,
});

/** Hosts may move every limit, within what one row can sensibly hold. */
export const inputLimitsSchema = z
  .strictObject({
    textLength: z.number().int().min(1).max(10_000_000),
    customSize: z.number().int().min(2).max(10_000_000),
    customDepth: z.number().int().min(1).max(64),
    customKeys: z.number().int().min(1).max(10_000),
    customArrayLength: z.number().int().min(0).max(1_000_000),
    customStringLength: z.number().int().min(1).max(10_000_000),
  })
  .partial();
