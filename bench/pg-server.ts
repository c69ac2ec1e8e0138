import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the PostgreSQL suite runs on: `CRMKIT_PG_URL`, else a local server. */
const localUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const prefix = 'crmkit_bench_';

/** The admin URL (a database the suite may connect to in order to create and drop its own). */
export function serverUrl(): string {
  return process.env.CRMKIT_PG_URL || localUrl;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withAdmin<T>(adminUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  admin.on('error', () => {});
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end().catch(() => {});
  }
}

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  // DROP DATABASE refuses while sessions are connected (a run that failed mid-way may have left some).
  await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  await admin.query(`drop database if exists "${name}"`);
}

/** A database of the suite's own, with what is needed to describe and remove it. */
export interface BenchDatabase {
  /** Its connection URL. */
  url: string;
  /** `version()` of the server, for the header. */
  version: string;
  /** Drops it (terminating its sessions first); safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database (`crmkit_bench_<pid>_<hex>`). On a local
 * server, databases left by bench processes that no longer exist (a run killed
 * with SIGKILL skips its cleanup) are dropped first.
 *
 * @throws {Error} when the server does not answer, naming the URL tried.
 */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `${prefix}${process.pid}_${randomBytes(4).toString('hex')}`;
  let version = '';
  try {
    version = await withAdmin(adminUrl, async (admin) => {
      const host = new URL(adminUrl).hostname;
      if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
        const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}%`]);
        for (const { datname } of rows) {
          const pid = Number(datname.slice(prefix.length).split('_')[0]);
          if (Number.isInteger(pid) && !alive(pid)) await dropDatabase(admin, datname);
        }
      }
      await admin.query(`create database "${name}"`);
      return (await admin.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
    });
  } catch (error) {
    const where = new URL(adminUrl);
    where.password = where.password ? '***' : '';
    throw new Error(`cannot create a database on ${where.toString()} (set CRMKIT_PG_URL): ${(error as Error).message}`, { cause: error });
  }
  let dropped = false;
  return {
    url: withDatabase(adminUrl, name),
    version,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (admin) => dropDatabase(admin, name));
    },
  };
}
