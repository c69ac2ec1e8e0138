import { createReadStream } from 'node:fs';
import { newId, type Row } from '@crmkit/core';
import type { Database } from 'better-sqlite3';
import { parse } from 'csv-parse';
import type pg from 'pg';
import { contactColumns, contactParams, rawContacts } from './raw-sqlite.js';

/**
 * The baselines of the import suite: what a developer writes by hand to load
 * the same CSV with the driver — csv-parse, the same light normalisation the
 * target columns need (lower-case email, phone digits, tags as a list), the
 * contact row plus its `contact.created` outbox row with the record as JSON,
 * one transaction per `batch` rows like the import. No validation beyond
 * that, no audit: the floor crmkit's import is measured against.
 */

/** The CSV's rows as cell arrays, header skipped, streamed from the file. */
async function* csvRecords(file: string): AsyncGenerator<string[]> {
  const parser = createReadStream(file).pipe(parse({ from_line: 2, relax_column_count: false }));
  for await (const record of parser) yield record as string[];
}

const nullIfEmpty = (text: string | undefined): string | null => (text === undefined || text.trim() === '' ? null : text.trim());

/** A CSV record as the complete contact row, as a hand-written loader would build it. */
export function rawContactRow(cells: readonly string[], tenantId: string, now: string): Row {
  const [first, last, email, phone, title, stage, source, city, country, channel, tags, externalId] = cells;
  const address = email!.trim().toLowerCase();
  const number = `+${phone!.replace(/\D/g, '')}`;
  return {
    tenantId, id: newId(), createdAt: now, updatedAt: now, version: 1, ownerId: null,
    tags: tags === '' || tags === undefined ? [] : tags.split(';'), custom: {},
    firstName: nullIfEmpty(first), lastName: nullIfEmpty(last), email: address, emails: [{ address, label: null }],
    phone: number, phones: [{ number, label: null }], companyId: null, title: nullIfEmpty(title),
    lifecycleStage: nullIfEmpty(stage) ?? 'lead', source: nullIfEmpty(source), birthDate: null, occupation: null, familyStatus: null,
    city: nullIfEmpty(city), country: nullIfEmpty(country), preferredChannel: nullIfEmpty(channel), productInterests: [], consent: {},
    satisfaction: null, satisfactionAt: null, externalId: nullIfEmpty(externalId), idempotencyKey: null, csat: null, csatAt: null,
  };
}

/** Loads the CSV into SQLite with prepared single-row INSERTs (the fastest form there), `batch` rows per transaction. */
export async function rawSqliteImport(db: Database, file: string, tenantId: string, batch: number): Promise<number> {
  const { insertContact, insertEvent, reserveEvents } = rawContacts(db, 50);
  const write = db.transaction((rows: Row[]) => {
    let position = reserveEvents(rows.length);
    for (const row of rows) {
      insertContact.run(contactParams(row));
      const at = row.createdAt as string;
      insertEvent.run(tenantId, newId(), at, at, 'contact.created', null, at, JSON.stringify({ record: row }), position++);
    }
  });
  let rows: Row[] = [];
  let count = 0;
  for await (const cells of csvRecords(file)) {
    rows.push(rawContactRow(cells, tenantId, new Date().toISOString()));
    if (rows.length >= batch) {
      write.immediate(rows);
      count += rows.length;
      rows = [];
    }
  }
  if (rows.length > 0) write.immediate(rows);
  return count + rows.length;
}

const eventColumns = ['tenant_id', 'id', 'created_at', 'updated_at', 'type', 'actor_id', 'occurred_at', 'data'] as const;

function tuples(rows: number, width: number, extra = ''): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')}${extra})`);
  return out.join(', ');
}

const texts = new Map<string, string>();
function cached(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) texts.set(key, (text = build()));
  return text;
}

/**
 * Loads the CSV into PostgreSQL: per batch one transaction with one multi-row
 * INSERT of the contacts and one of their outbox rows, numbered as the
 * adapter's log numbers them (transaction id, and a sequence taken under the
 * tenant's advisory lock, which is taken once per transaction).
 */
export async function rawPostgresImport(pool: pg.Pool, file: string, tenantId: string, batch: number): Promise<number> {
  const client = await pool.connect();
  const write = async (rows: Row[]) => {
    const n = rows.length;
    const contactText = cached(`c${n}`, () => `insert into crm_contact (${contactColumns.join(', ')}) values ${tuples(n, contactColumns.length)}`);
    const eventText = cached(`e${n}`, () =>
      `insert into crm_event (${eventColumns.join(', ')}, crmkit_log_xid, crmkit_log_seq) values ${tuples(n, eventColumns.length, ", pg_current_xact_id(), nextval('crm_event_log_sequence')")}`);
    const contactValues: unknown[] = [];
    const eventValues: unknown[] = [];
    for (const row of rows) {
      contactValues.push(...contactParams(row));
      const at = row.createdAt as string;
      eventValues.push(tenantId, newId(), at, at, 'contact.created', null, at, JSON.stringify({ record: row }));
    }
    await client.query('begin');
    try {
      await client.query({ text: contactText, values: contactValues });
      await client.query("select pg_advisory_xact_lock(1668443500, hashtext('crm_event/' || $1::text))", [tenantId]);
      await client.query({ text: eventText, values: eventValues });
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  };
  try {
    let rows: Row[] = [];
    let count = 0;
    for await (const cells of csvRecords(file)) {
      rows.push(rawContactRow(cells, tenantId, new Date().toISOString()));
      if (rows.length >= batch) {
        await write(rows);
        count += rows.length;
        rows = [];
      }
    }
    if (rows.length > 0) await write(rows);
    return count + rows.length;
  } finally {
    client.release();
  }
}
