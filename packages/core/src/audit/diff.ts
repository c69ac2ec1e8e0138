import type { AuditChange } from './audit.schema.js';

/** Fields every update touches; recording them would bury the real changes. */
const bookkeeping = new Set(['updatedAt', 'version']);

/**
 * The fields of `patch` whose value differs from `before`. Values are compared
 * by their JSON form, so `tags: ['a']` against an equal new array is no change.
 */
export function diffFields(before: Record<string, unknown>, patch: Record<string, unknown>): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const [field, to] of Object.entries(patch)) {
    if (to === undefined || bookkeeping.has(field)) continue;
    const from = before[field] ?? null;
    if (stableJson(from) !== stableJson(to ?? null)) changes.push({ field, from, to: to ?? null });
  }
  return changes;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
