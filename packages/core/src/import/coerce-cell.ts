import type { z } from 'zod';

/** What a zod schema is, looked at through its wrappers. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional / nullable / default / transform wrappers: what the value must be before zod's own steps. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 20; depth++) {
    const def = defOf(current);
    const inner = def.type === 'pipe' ? def.in : def.innerType;
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}

/** The fields of an object schema (after unwrapping), or undefined for any other schema. */
export function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  if (schema === undefined) return undefined;
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** The schema of a dotted path inside an object schema (`amount.minor`), if the path names one. */
export function schemaAt(schema: z.ZodType | undefined, path: readonly string[]): z.ZodType | undefined {
  let current = schema;
  for (const segment of path) {
    const shape = shapeOf(current);
    if (shape === undefined || !Object.hasOwn(shape, segment)) return undefined;
    current = shape[segment];
  }
  return current;
}

const nullable = new WeakMap<z.ZodType, boolean>();

/** Whether the schema takes `null` as a value; kept per schema, since a column's schema is the same on every row. */
export function acceptsNull(schema: z.ZodType): boolean {
  let known = nullable.get(schema);
  if (known === undefined) {
    known = schema.safeParse(null).success;
    nullable.set(schema, known);
  }
  return known;
}

const numeric = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const integer = /^[+-]?\d+$/;
const truthy = new Set(['true', 'yes', 'y', '1']);
const falsy = new Set(['false', 'no', 'n', '0']);

/**
 * A CSV cell as the value the field's schema takes: numbers, booleans, lists
 * (`a;b;c` or a JSON array), objects as JSON, money as `12.50 EUR`. An empty
 * cell is absent (`undefined`). Text that does not read as the expected type
 * stays text, so that the schema reports it with its own message and code.
 */
export function coerceCell(schema: z.ZodType | undefined, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (schema === undefined) return text;
  return coerceAs(unwrap(schema), text, trimmed);
}

function coerceAs(schema: z.ZodType, text: string, trimmed: string): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'number':
      return numeric.test(trimmed) ? Number(trimmed) : text;
    case 'bigint':
      return integer.test(trimmed) ? BigInt(trimmed) : text;
    case 'boolean':
      return truthy.has(trimmed.toLowerCase()) ? true : falsy.has(trimmed.toLowerCase()) ? false : text;
    case 'enum':
    case 'literal':
      return trimmed;
    case 'union':
      return coerceUnion(def.options ?? [], text, trimmed);
    case 'array':
      return coerceList(def.element, text, trimmed);
    case 'object':
      if (def.shape && 'minor' in def.shape && 'currency' in def.shape && !trimmed.startsWith('{')) return moneyOf(trimmed) ?? text;
      return jsonOr(text, trimmed, '{');
    case 'record':
      return jsonOr(text, trimmed, '{');
    default:
      return text;
  }
}

function coerceUnion(options: readonly z.ZodType[], text: string, trimmed: string): unknown {
  const kinds = new Set(options.map((o) => defOf(unwrap(o)).type));
  if ((kinds.has('number') || kinds.has('bigint')) && numeric.test(trimmed)) {
    const value = Number(trimmed);
    if (kinds.has('bigint') && integer.test(trimmed) && !Number.isSafeInteger(value)) return BigInt(trimmed);
    return kinds.has('number') ? value : integer.test(trimmed) ? BigInt(trimmed) : text;
  }
  if (kinds.has('boolean')) {
    if (truthy.has(trimmed.toLowerCase())) return true;
    if (falsy.has(trimmed.toLowerCase())) return false;
  }
  return text;
}

function coerceList(element: z.ZodType | undefined, text: string, trimmed: string): unknown {
  if (trimmed.startsWith('[')) return jsonOr(text, trimmed, '[');
  return trimmed
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => (element === undefined ? part : coerceAs(unwrap(element), part, part)));
}

function jsonOr(text: string, trimmed: string, opener: string): unknown {
  if (!trimmed.startsWith(opener)) return text;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

const moneyText = /^(?:([A-Za-z]{3})\s*([+-]?\d+(?:\.\d+)?)|([+-]?\d+(?:\.\d+)?)\s*([A-Za-z]{3}))$/;

/** `12.50 EUR` or `EUR 12.50` as money in minor units, using the currency's own number of decimals. */
function moneyOf(text: string): { minor: number | bigint; currency: string } | undefined {
  const match = moneyText.exec(text);
  if (match === null) return undefined;
  const currency = (match[1] ?? match[4]!).toUpperCase();
  const amount = match[2] ?? match[3]!;
  let digits: number;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return undefined;
  }
  const [whole, fraction = ''] = amount.replace(/^\+/, '').split('.');
  if (fraction.length > digits) return undefined;
  const minor = BigInt(`${whole}${fraction.padEnd(digits, '0')}`);
  return { minor: minor <= BigInt(Number.MAX_SAFE_INTEGER) && minor >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(minor) : minor, currency };
}
