import type { Row } from '@crmkit/core';
import type { Database, Statement } from 'better-sqlite3';

/**
 * The baseline: what a developer writes by hand on better-sqlite3 for the same
 * work, on the same schema (created by `adapter.migrate(coreMigrations)`).
 * Columns are listed explicitly, as hand-written SQL would; {@link checkColumns}
 * fails loudly if the core model and this list drift apart.
 */
export const contactColumns = [
  'tenant_id', 'id', 'created_at', 'updated_at', 'version', 'owner_id', 'tags', 'custom',
  'first_name', 'last_name', 'email', 'emails', 'phone', 'phones', 'company_id', 'title',
  'lifecycle_stage', 'source', 'birth_date', 'occupation', 'family_status', 'city', 'country',
  'preferred_channel', 'product_interests', 'consent', 'satisfaction', 'satisfaction_at', 'external_id', 'idempotency_key',
  'csat', 'csat_at', 'erased_at',
] as const;

/** JSON columns, parsed on read so that both sides return usable values. */
const jsonColumns = ['tags', 'custom', 'emails', 'phones', 'product_interests', 'consent'] as const;

const j = JSON.stringify;

/** The INSERT parameters of a contact row, in the order of the hand-written column list. */
export function contactParams(r: Row): unknown[] {
  return [
    r.tenantId, r.id, r.createdAt, r.updatedAt, r.version, r.ownerId, j(r.tags), j(r.custom),
    r.firstName, r.lastName, r.email, j(r.emails), r.phone, j(r.phones), r.companyId, r.title,
    r.lifecycleStage, r.source, r.birthDate, r.occupation, r.familyStatus, r.city, r.country,
    r.preferredChannel, j(r.productInterests), j(r.consent), r.satisfaction, r.satisfactionAt, r.externalId, r.idempotencyKey ?? null,
    r.csat ?? null, r.csatAt ?? null, r.erasedAt ?? null,
  ];
}

/** Parses the JSON columns of driver rows in place. */
export function decodeContacts<T extends Record<string, unknown>>(rows: T[]): T[] {
  for (const row of rows) for (const c of jsonColumns) (row as Record<string, unknown>)[c] = JSON.parse(row[c] as string);
  return rows;
}

/**
 * Checks that the schema the adapter created is the one the statements assume.
 * @throws {Error} when `crm_contact` does not have exactly the columns the
 * hand-written statements name.
 */
export function checkColumns(db: Database): void {
  const actual = (db.prepare('select name from pragma_table_info(?)').all('crm_contact') as { name: string }[]).map((c) => c.name);
  if (actual.join(',') !== contactColumns.join(',')) {
    throw new Error(`crm_contact columns changed; update bench/raw-sqlite.ts\n  table: ${actual.join(',')}\n  bench: ${contactColumns.join(',')}`);
  }
}

/** Prepared statements of the baseline on one database. */
export interface RawContacts {
  /** Inserts rows with one prepared INSERT per row, in one `BEGIN IMMEDIATE` transaction (as the adapter's). */
  importRows(rows: readonly Row[]): void;
  /** `select * ... where tenant_id = ? and id = ?`, JSON decoded. */
  get(tenantId: string, id: string): Record<string, unknown> | undefined;
  /** The first page: one stage, newest first, `id` as tie-breaker (as the adapter appends it). */
  firstPage(tenantId: string, stage: string): Record<string, unknown>[];
  /** The page after a cursor, written as the usual keyset expansion. */
  pageAfter(tenantId: string, stage: string, createdAt: string, id: string): Record<string, unknown>[];
  /** The statement that inserts one outbox event (for the service-level row); its last parameter is the event's log position. */
  readonly insertEvent: Statement;
  /** Reserves `count` positions of the event log (a statement run once per transaction); returns the first. */
  reserveEvents(count: number): number;
  /** The statement that inserts one contact. */
  readonly insertContact: Statement;
}

/** Prepares the baseline statements on `db`. */
export function rawContacts(db: Database, pageSize: number): RawContacts {
  checkColumns(db);
  const insertContact = db.prepare(`insert into crm_contact (${contactColumns.join(', ')}) values (${contactColumns.map(() => '?').join(', ')})`);
  const get = db.prepare('select * from crm_contact where tenant_id = ? and id = ?');
  const first = db.prepare(
    `select * from crm_contact where tenant_id = ? and lifecycle_stage = ? order by created_at desc, id desc limit ${pageSize}`,
  );
  const after = db.prepare(
    // The row-value form is what a careful hand-written keyset query uses: SQLite seeks on it.
    `select * from crm_contact where tenant_id = ? and lifecycle_stage = ? and (created_at, id) < (?, ?)
     order by created_at desc, id desc limit ${pageSize}`,
  );
  const insertEvent = db.prepare(
    'insert into crm_event (tenant_id, id, created_at, updated_at, type, actor_id, occurred_at, data, crmkit_log_position) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // The event log's counter, as the adapter keeps it: one reservation per transaction.
  const reserve = db.prepare("update crmkit_log set position = position + ? where name = 'crm_event' returning position - ? + 1 as first");
  const importAll = db.transaction((rows: readonly Row[]) => {
    for (const row of rows) insertContact.run(contactParams(row));
  });
  return {
    importRows: (rows) => importAll.immediate(rows),
    get: (tenantId, id) => {
      const row = get.get(tenantId, id) as Record<string, unknown> | undefined;
      return row === undefined ? undefined : decodeContacts([row])[0];
    },
    firstPage: (tenantId, stage) => decodeContacts(first.all(tenantId, stage) as Record<string, unknown>[]),
    pageAfter: (tenantId, stage, createdAt, id) =>
      decodeContacts(after.all(tenantId, stage, createdAt, id) as Record<string, unknown>[]),
    insertEvent,
    reserveEvents: (count) => (reserve.get(count, count) as { first: number }).first,
    insertContact,
  };
}
