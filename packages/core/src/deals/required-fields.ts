/**
 * Which fields of a record are filled in: what a stage gate (a move with
 * `requiredFields`) checks on the stored deal. Plain functions over records,
 * shared with the workflow machines so a rule reads the same everywhere.
 */

/** The value at a dotted path (`custom.budget`) of a record; undefined when absent. */
export function fieldValue(record: object, path: string): unknown {
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

/** The fields of `required` (dotted paths) that `record` leaves empty, in the order given. */
export function missingFields(record: object, required: readonly string[]): string[] {
  return required.filter((path) => !isFilled(fieldValue(record, path)));
}

/** The issue code of a field a stage requires and the deal lacks (in `ValidationError.issues`). */
export const missingForStage = 'missing_for_stage';
