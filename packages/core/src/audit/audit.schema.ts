/** One field's change. */
export interface AuditChange {
  /** The field name. */
  field: string;
  /** Value before the change (`null` for none). */
  from: unknown;
  /** Value after the change (`null` for none). */
  to: unknown;
}

/** What was done to the record. */
export type AuditAction = 'create' | 'update' | 'delete';

/** Who changed which fields of which record, when, from what to what. */
export interface AuditEntry {
  /** The tenant. */
  tenantId: string;
  /** Sortable unique id. */
  id: string;
  /** Entity name (`contact`, `deal`...). */
  entity: string;
  /** The changed record's id. */
  recordId: string;
  /** What was done. */
  action: AuditAction;
  /** The member who did it, when the tenant scope names one. */
  actorId: string | null;
  /** The changes; for a delete, every field of the record going to null. */
  changes: AuditChange[];
  /** ISO UTC timestamp of the change. */
  at: string;
  /** The record's version after an update, or the deleted record's last version. */
  recordVersion: number | null;
}
