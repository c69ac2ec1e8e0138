import { type Row, ValidationError } from '@crmkit/core';
import type { LogDialect, LogReadParts, LogRunner, LogTable, SqlFragment } from '@crmkit/kysely';
import { sql } from 'kysely';

/** The inserting transaction's id (`xid8`): which snapshot batch a row belongs to. */
const xidColumn = 'crmkit_log_xid';
/** A sequence value taken under the tenant's lock: the order inside a batch. */
const seqColumn = 'crmkit_log_seq';
/** The alias the sequence is read under, removed from the rows before they are returned. */
const seqAlias = '_crmkit_log_seq';
/** 'crml': the advisory lock class of log inserts; the object is a hash of table and tenant. */
const lockClass = 0x63726d6c;
/** A snapshot in which no transaction is visible: the position before the first row. */
const origin = '1:1:';

const snapshot = /^\d{1,20}:\d{1,20}:(?:\d{1,20}(?:,\d{1,20})*)?$/;

/** Where a reader stands: after the batch of `done`, or inside the batch (done, upto] after sequence `seq`. */
interface Position {
  done: string;
  open: { upto: string; seq: string } | undefined;
}

function parse(after: string | undefined): Position {
  if (after === undefined) return { done: origin, open: undefined };
  const [done, upto, seq, ...rest] = after.startsWith('p|') ? after.slice(2).split(';') : [];
  if (done !== undefined && snapshot.test(done) && rest.length === 0) {
    if (upto === undefined) return { done, open: undefined };
    if (snapshot.test(upto) && seq !== undefined && /^-?\d{1,20}$/.test(seq)) return { done, open: { upto, seq } };
  }
  throw ValidationError.single('"after" is not a log position of this database', ['after']);
}

function format(position: Position): string {
  return position.open === undefined ? `p|${position.done}` : `p|${position.done};${position.open.upto};${position.open.seq}`;
}

function sequence(t: LogTable): { ref: SqlFragment; text: string } {
  return t.object(`${t.name}_log_sequence`);
}

/**
 * Rows whose transaction is visible in snapshot `upto` but not in `done`:
 * the transactions that committed between the two snapshots. The range
 * conditions only let the xid index find the candidates (an xid not visible
 * in `done` is at least its xmax or one of its in-progress xids; one visible
 * in `upto` is below its xmax); visibility decides.
 */
function inBatch(t: LogTable, done: SqlFragment, upto: SqlFragment): SqlFragment {
  const xid = sql.id(t.name, xidColumn);
  return sql`((${xid} >= pg_snapshot_xmax(${done}) and ${xid} < pg_snapshot_xmax(${upto})) or ${xid} = any(array(select pg_snapshot_xip(${done}))))
    and pg_visible_in_snapshot(${xid}, ${upto}) and not pg_visible_in_snapshot(${xid}, ${done})`;
}

const filtered = (parts: LogReadParts) => (parts.filter === undefined ? sql`` : sql` and ${parts.filter}`);

/**
 * Opens the batch after `done`: takes a snapshot now and the lowest sequence
 * of the batch, from which its pages are read in sequence order. `offset 0`
 * keeps the xid index in charge: as a plain `min()` Postgres would walk the
 * sequence index from the oldest row of the table instead.
 */
async function openBatch(t: LogTable, parts: LogReadParts, done: string, run: LogRunner): Promise<{ upto: string; first: string | undefined }> {
  const seq = sql.id(t.name, seqColumn);
  const [row] = await run(sql`select ${sql.id('s', 'c')}::text as ${sql.id('upto')}, (select min(${sql.id('b', 'seq')}) from (select ${seq} as ${sql.id('seq')} from ${t.table}
    where ${inBatch(t, sql`${done}::pg_snapshot`, sql.id('s', 'c'))}${filtered(parts)} offset 0) as ${sql.id('b')}) as ${sql.id('first')}
    from (select pg_current_snapshot() as ${sql.id('c')}) as ${sql.id('s')}`);
  const first = row?.first;
  return { upto: String(row!.upto), first: first === null || first === undefined ? undefined : String(first) };
}

/**
 * PostgreSQL's commit-ordered log, after PgQ (Skytools). A sequence taken at
 * insert is not in commit order (transactions commit in any order), so rows
 * are read in batches between two snapshots of `pg_current_snapshot()`: the
 * batch after snapshot A up to snapshot B holds the rows of the transactions
 * that committed between them, so every row of one batch committed before
 * every row of the next, and a transaction in progress at B falls into a
 * later batch instead of being skipped. Inside a batch, rows are read in the
 * order of a sequence taken under a per-tenant transaction-level advisory
 * lock: a second transaction of the same tenant inserts only after the first
 * committed (and became visible), so per tenant the sequence follows commit
 * order exactly. The lock is held from the event insert to the commit, which
 * in crmkit's writes is the last statement before it.
 *
 * A position is the last snapshot read up to, plus the snapshot and sequence
 * of a batch read partly. Backfilled rows (the `addLog` migration) carry the
 * migration's transaction id and sequences in id order.
 */
export const postgresLog: LogDialect = {
  columns: [xidColumn, seqColumn],
  enable(t) {
    const [xid, seq] = [sql.id(xidColumn), sql.id(seqColumn)];
    const [tenantId, id] = [sql.id(t.tenantIdColumn), sql.id(t.idColumn)];
    const s = sequence(t);
    return [
      sql`alter table ${t.table} add column ${xid} xid8, add column ${seq} bigint`,
      sql`create sequence ${s.ref}`,
      sql`update ${t.table} set ${xid} = pg_current_xact_id(), ${seq} = ${sql.id('o', 'n')} from (select ${tenantId}, ${id}, row_number() over (order by ${id}, ${tenantId}) as ${sql.id('n')} from ${t.table}) as ${sql.id('o')} where ${sql.id(t.name, t.tenantIdColumn)} = ${sql.id('o', t.tenantIdColumn)} and ${sql.id(t.name, t.idColumn)} = ${sql.id('o', t.idColumn)}`,
      sql`select setval(${sql.lit(s.text)}, (select coalesce(max(${seq}), 0) + 1 from ${t.table}), false)`,
      sql`alter table ${t.table} alter column ${xid} set not null, alter column ${seq} set not null`,
      sql`create index ${sql.id(`${t.name}_log_xid`)} on ${t.table} (${xid})`,
      sql`create unique index ${sql.id(`${t.name}_log_seq`)} on ${t.table} (${seq})`,
    ];
  },
  values(t, tenantId) {
    // The lock comes first inside the subquery, so nextval runs only once this tenant's earlier writers have committed.
    const lock = sql`pg_advisory_xact_lock(${sql.lit(lockClass)}, hashtext(${sql.lit(`${t.name}/`)} || ${tenantId}::text))`;
    return [sql`pg_current_xact_id()`, sql`(select nextval(${sql.lit(sequence(t).text)}) from (select ${lock}) as ${sql.id('l')})`];
  },
  async read(t, parts, run) {
    const position = parse(parts.after);
    const seq = sql.id(t.name, seqColumn);
    const rows: Row[] = [];
    let opened = false;
    while (rows.length < parts.limit) {
      if (position.open === undefined) {
        // One new snapshot per call: what commits meanwhile belongs to the next call.
        if (opened) break;
        opened = true;
        const batch = await openBatch(t, parts, position.done, run);
        if (batch.first === undefined) {
          position.done = batch.upto;
          continue;
        }
        position.open = { upto: batch.upto, seq: (BigInt(batch.first) - 1n).toString() };
      }
      const { upto, seq: after } = position.open;
      const wanted = parts.limit - rows.length;
      const page = await run(sql`select ${parts.select}, ${seq} as ${sql.id(seqAlias)} from ${t.table}
        where ${seq} > ${after}::bigint and ${inBatch(t, sql`${position.done}::pg_snapshot`, sql`${upto}::pg_snapshot`)}${filtered(parts)}
        order by ${seq} limit ${wanted}`);
      for (const row of page) {
        position.open.seq = String(row[seqAlias]);
        delete row[seqAlias];
        rows.push(row);
      }
      if (page.length < wanted) {
        position.done = upto;
        position.open = undefined;
      }
    }
    return { rows, position: format(position) };
  },
  async end(_t, run) {
    const [row] = await run(sql`select pg_current_snapshot()::text as ${sql.id('now')}`);
    return format({ done: String(row!.now), open: undefined });
  },
};
