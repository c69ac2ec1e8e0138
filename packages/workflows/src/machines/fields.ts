/**
 * Field access shared by the standard machines: plain functions over the JSON
 * records machines carry in their context, so guards stay pure.
 */

/** The value at a dotted path (`custom.budget`) of a record; undefined when absent. */
export function fieldValue(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Whether a field counts as filled in: not `undefined`, `null`, blank text or an
 * empty list, and not a zero amount (`{ minor: 0 }`, the default deal amount).
 */
export function isFilled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && 'minor' in value) return Number((value as { minor: unknown }).minor) !== 0;
  return true;
}

/** The fields of `required` that `record` leaves empty, in the order given. */
export function missingFields(record: Record<string, unknown>, required: readonly string[]): string[] {
  return required.filter((path) => !isFilled(fieldValue(record, path)));
}
