/**
 * What a member may do with a record: the actions a role grants a level for.
 * `export` covers `exports`, `merge` the duplicates' merge, `assign` changing
 * a record's owner; the other four are what their names say.
 */
export const accessActions = ['read', 'create', 'update', 'delete', 'export', 'merge', 'assign'] as const;
/** One of {@link accessActions}. */
export type AccessAction = (typeof accessActions)[number];

/**
 * How far a grant reaches, least to most permissive: `none`; `own`, the
 * records the member owns (and, for tasks, is assigned); `team`, the records
 * owned by anyone in the member's teams or their sub-teams (and, for cases,
 * those queued to those teams); `all`, every record of the tenant.
 */
export const accessLevels = ['none', 'own', 'team', 'all'] as const;
/** One of {@link accessLevels}. */
export type AccessLevel = (typeof accessLevels)[number];

/** The more permissive of two levels: the rule that combines a member's roles. */
export function widerLevel(a: AccessLevel, b: AccessLevel): AccessLevel {
  return accessLevels.indexOf(a) >= accessLevels.indexOf(b) ? a : b;
}

/** What a field-level rule makes of a field: absent from results and filters, or visible but never written by the member. */
export const fieldAccessRules = ['hidden', 'readOnly'] as const;
/** One of {@link fieldAccessRules}. */
export type FieldAccessRule = (typeof fieldAccessRules)[number];
