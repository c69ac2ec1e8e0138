import type { DuplicateEntity } from '../duplicates/duplicate.schema.js';
import type { Storage } from '../storage/adapter.js';

/** A record of the person, by entity name and id: the subjects extensions look for. */
export interface PersonalRecordRef {
  /** Entity name: `contact`, `deal`, `case`, `interaction`... */
  type: string;
  id: string;
}

/**
 * What `privacy.export` and `privacy.erase` hand each {@link PersonalDataHandler}:
 * the person, the records crmkit found about them, and the functions that find
 * and remove the person in any JSON value, so that an extension scrubs its
 * tables exactly as core scrubs its own.
 */
export interface PersonalDataContext {
  /** Where to read and write: inside `erase`, the erasure's transaction. */
  storage: Storage;
  tenantId: string;
  contactId: string;
  /** The contact and the records about them (deals, cases, interactions, orders...), the contact first. */
  records: readonly PersonalRecordRef[];
  /** ISO UTC timestamp of the export or erasure. */
  now: string;
  /** Whether a JSON value mentions the person: a spelling of their email, phone or name, or the id of one of `records`. */
  mentions(value: unknown): boolean;
  /**
   * The value without the person (the same value when nothing changed):
   * strings redacted, snapshots of records core scrubbed replaced by the
   * scrubbed record. Only meaningful inside `erase`.
   */
  redact<T>(value: T): T;
}

/**
 * What `duplicates.merge` hands each {@link PersonalDataHandler} with a
 * `relink`: the merge, inside its transaction, after core moved its own
 * references to the survivor.
 */
export interface MergeRelinkContext {
  /** The merge's transaction. */
  storage: Storage;
  tenantId: string;
  /** What was merged: `contact` or `company`. */
  entity: DuplicateEntity;
  survivorId: string;
  /** The ids merged into the survivor; their rows are already deleted. */
  mergedIds: readonly string[];
  /** ISO UTC timestamp of the merge. */
  now: string;
}

/**
 * Personal data an extension keeps in its own tables (workflow snapshots and
 * history), registered with `createCrm({ personalData: [handler] })`. Core
 * never imports its extensions: they come to it this way, for exports,
 * erasures and the merges that move a person's records to a survivor.
 * `erase` runs in the erasure's transaction, after core scrubbed its tables;
 * it throws to roll the whole erasure back.
 * @example
 * import { workflowPersonalData } from '@crmkit/workflows';
 * const crm = await createCrm({ adapter, migrations: workflowMigrations, personalData: [workflowPersonalData] });
 */
export interface PersonalDataHandler {
  /** The export section's key, unique among handlers: `workflows`. */
  readonly name: string;
  /** The extension's data about the person, JSON-safe. */
  export(context: PersonalDataContext): Promise<unknown>;
  /** Removes the person from the extension's tables; returns the rows changed by table name. */
  erase(context: PersonalDataContext): Promise<Record<string, number>>;
  /**
   * Points the extension's references to merged contacts or companies (a
   * workflow instance's subject) at the survivor, in the merge's transaction;
   * throws to roll the merge back. Returns the references moved by
   * `model.field`, which the merge adds to its `relinked` counts.
   * @default undefined: the extension's references are left as they are
   */
  relink?(context: MergeRelinkContext): Promise<Record<string, number>>;
}
