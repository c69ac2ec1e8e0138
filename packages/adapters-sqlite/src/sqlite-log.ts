import { ValidationError } from '@crmkit/core';
import type { LogDialect, LogRunner, LogTable, SqlFragment } from '@crmkit/kysely';
import { sql } from 'kysely';

/** The column holding a row's position in its log. */
const column = 'crmkit_log_position';
/** The alias the position is read under, removed from the rows before they are returned. */
const alias = '_crmkit_log_position';
/** One row per log table: the last position handed out. */
const counterTable = 'crmkit_log';

function counter(t: LogTable): SqlFragment {
  return t.object(counterTable).ref;
}

/** The last position handed out, which is also the end of the committed log (a reservation commits with its rows). */
async function end(t: LogTable, run: LogRunner): Promise<string> {
  const [row] = await run(sql`select ${sql.id('position')} from ${counter(t)} where ${sql.id('name')} = ${sql.lit(t.name)}`);
  if (row === undefined) throw ValidationError.single(`${t.name} is not a log in this database: apply its addLog migration`);
  return String(row.position);
}

function parse(after: string | undefined): number {
  if (after === undefined) return 0;
  if (!/^\d{1,15}$/.test(after)) throw ValidationError.single('"after" is not a log position of this database', ['after']);
  return Number(after);
}

/**
 * SQLite's commit-ordered log. SQLite has one writer at a time, across
 * processes too (crmkit's transactions begin IMMEDIATE), so positions taken
 * from a counter inside the writing transaction are in commit order: no
 * transaction can take a position until the one before it has committed or
 * rolled back, and a rollback returns its positions with it. The counter is
 * a row of its own rather than `max(position) + 1`, so that deleting the
 * newest rows never hands their positions to rows a reader has not seen.
 */
export const sqliteLog: LogDialect = {
  columns: [column],
  enable(t) {
    const position = sql.id(column);
    const [tenantId, id] = [sql.id(t.tenantIdColumn), sql.id(t.idColumn)];
    return [
      sql`create table if not exists ${counter(t)} (${sql.id('name')} text not null primary key, ${sql.id('position')} integer not null)`,
      // SQLite adds a NOT NULL column only with a default; every row gets a real position just below.
      sql`alter table ${t.table} add column ${position} integer not null default 0`,
      sql`update ${t.table} set ${position} = ${sql.id('o', 'n')} from (select ${tenantId}, ${id}, row_number() over (order by ${id}, ${tenantId}) as ${sql.id('n')} from ${t.table}) as ${sql.id('o')} where ${sql.id(t.name, t.tenantIdColumn)} = ${sql.id('o', t.tenantIdColumn)} and ${sql.id(t.name, t.idColumn)} = ${sql.id('o', t.idColumn)}`,
      sql`insert into ${counter(t)} (${sql.id('name')}, ${sql.id('position')}) select ${sql.lit(t.name)}, coalesce(max(${position}), 0) from ${t.table}`,
      sql`create unique index ${sql.id(`${t.name}_log_position`)} on ${t.table} (${position})`,
    ];
  },
  reserve: (t, count) =>
    sql`update ${counter(t)} set ${sql.id('position')} = ${sql.id('position')} + ${count} where ${sql.id('name')} = ${sql.lit(t.name)} returning ${sql.id('position')} - ${count} + 1 as ${sql.id('first')}`,
  values: (_t, _tenantId, position) => [position!],
  async read(t, parts, run) {
    const after = parse(parts.after);
    // Every row up to the counter read first has committed: a page never runs ahead of a commit in progress.
    const last = await end(t, run);
    const ref = sql.id(t.name, column);
    const filter = parts.filter === undefined ? sql`` : sql` and ${parts.filter}`;
    const rows = await run(
      sql`select ${parts.select}, ${ref} as ${sql.id(alias)} from ${t.table} where ${ref} > ${after} and ${ref} <= ${Number(last)}${filter} order by ${ref} limit ${parts.limit}`,
    );
    // A full page ends at its last row; a short one read everything up to the counter, filtered or not.
    const position = rows.length === parts.limit ? String(rows[rows.length - 1]![alias]) : last;
    for (const row of rows) delete row[alias];
    return { rows, position };
  },
  end,
};
