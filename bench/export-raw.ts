import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { csvField, importHeader } from './import-data.js';

/**
 * The baselines of the export phase: the contacts the import wrote, read with
 * the driver and written as the same CSV columns (the import mapping's
 * headers), streamed to a file with back-pressure. SQLite iterates one
 * statement; PostgreSQL reads keyset pages of 1,000 by id.
 */

const columns = 'first_name, last_name, email, phone, title, lifecycle_stage, source, city, country, preferred_channel, tags, external_id';

type Cells = Record<string, unknown>;

function line(row: Cells): string {
  const tags = typeof row.tags === 'string' ? (JSON.parse(row.tags) as string[]) : (row.tags as string[]);
  const cells = [row.first_name, row.last_name, row.email, row.phone, row.title, row.lifecycle_stage, row.source, row.city, row.country, row.preferred_channel, tags.join(';'), row.external_id];
  return `${cells.map((c) => (c === null || c === undefined ? '' : csvField(String(c)))).join(',')}\n`;
}

/** A CSV writer on a file that waits when the stream asks it to. */
function csvFile(file: string) {
  const out = createWriteStream(file);
  let chunk = `${importHeader.map(csvField).join(',')}\n`;
  return {
    async add(row: Cells) {
      chunk += line(row);
      if (chunk.length > 1 << 16) {
        const full = out.write(chunk);
        chunk = '';
        if (!full) await once(out, 'drain');
      }
    },
    async end() {
      out.end(chunk);
      await once(out, 'finish');
    },
  };
}

/** Writes every contact of the tenant from SQLite; returns the rows written. */
export async function rawSqliteExport(db: Database, tenantId: string, file: string): Promise<number> {
  const out = csvFile(file);
  let rows = 0;
  for (const row of db.prepare(`select ${columns} from crm_contact where tenant_id = ? order by id`).iterate(tenantId)) {
    await out.add(row as Cells);
    rows++;
  }
  await out.end();
  return rows;
}

/** Writes every contact of the tenant from PostgreSQL, in keyset pages of 1,000 by id. */
export async function rawPostgresExport(pool: pg.Pool, tenantId: string, file: string): Promise<number> {
  const out = csvFile(file);
  let rows = 0;
  let after = '';
  for (;;) {
    const page = await pool.query<Cells>(`select id, ${columns} from crm_contact where tenant_id = $1 and id > $2 order by id limit 1000`, [tenantId, after]);
    for (const row of page.rows) await out.add(row);
    rows += page.rows.length;
    if (page.rows.length < 1000) break;
    after = page.rows[page.rows.length - 1]!.id as string;
  }
  await out.end();
  return rows;
}
