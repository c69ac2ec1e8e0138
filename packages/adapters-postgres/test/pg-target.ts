import { randomBytes } from 'node:crypto';
import type { PostgresStorageAdapter } from '@crmkit/adapter-postgres';
import type { ConformanceTarget } from '@crmkit/adapter-tests';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/**
 * Where the Postgres tests run. `CRMKIT_PG_URL` (set by CI) must answer or the
 * tests fail; without it a local server on 127.0.0.1:5432 is used when it
 * answers within a second, and the server-only tests are skipped otherwise
 * (the PGlite runs always happen).
 */
const localUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const prefix = 'crmkit_test_';

async function probe(url: string, timeoutMs: number): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function resolveServer(): Promise<string | undefined> {
  const configured = process.env.CRMKIT_PG_URL;
  if (configured) {
    const error = await probe(configured, 5000);
    if (error) throw new Error(`CRMKIT_PG_URL is set but the server does not answer: ${error.message}`, { cause: error });
    console.info(`[adapter-postgres] tests use the PostgreSQL server of CRMKIT_PG_URL`);
    return configured;
  }
  if ((await probe(localUrl, 1000)) === undefined) {
    console.info('[adapter-postgres] tests use the PostgreSQL server on 127.0.0.1:5432');
    return localUrl;
  }
  console.info('[adapter-postgres] no PostgreSQL server answers: server tests are skipped, PGlite tests run');
  return undefined;
}

/** The admin URL of the server under test (its `postgres` database), or undefined when only PGlite runs. */
export const serverUrl: string | undefined = await resolveServer();

/** Why server-only tests are skipped, for their titles. */
export const noServer = 'needs a PostgreSQL server (set CRMKIT_PG_URL or start one on 127.0.0.1:5432)';

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

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  // DROP DATABASE refuses while sessions are connected (a test that failed mid-way may have left some).
  await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  await admin.query(`drop database if exists "${name}"`);
}

/**
 * Creates a uniquely named database for one test file and returns its URL.
 * Databases left by test processes that died (killed runs skip `afterAll`)
 * are dropped first when the server is local, where their pid can be checked.
 */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const host = new URL(adminUrl).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
      const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}%`]);
      for (const { datname } of rows) {
        const pid = Number(datname.slice(prefix.length).split('_')[0]);
        if (Number.isInteger(pid) && !alive(pid)) await dropDatabase(admin, datname);
      }
    }
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await dropDatabase(client, name);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Registers `beforeAll` / `afterAll` hooks giving the current test file its own
 * database on the server (dropped in `afterAll`, which runs even when tests
 * fail). Returns a getter for its URL; without a server it is never called.
 */
export function useTestDatabase(): () => string {
  let db: { url: string; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    if (serverUrl !== undefined) db = await createTestDatabase(serverUrl);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => {
    if (db === undefined) throw new Error(noServer);
    return db.url;
  };
}

/** `?` placeholders (the conformance suite's) to `$1`, `$2`... */
export function dollarParams(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** A conformance target on a Postgres adapter, reading back through its own pool or PGlite instance. */
export function conformanceTarget(adapter: PostgresStorageAdapter, close?: () => Promise<void>): ConformanceTarget {
  return {
    adapter,
    raw: {
      async query(text, params = []) {
        if (adapter.pglite !== undefined) return (await adapter.pglite.query<Record<string, unknown>>(dollarParams(text), params)).rows;
        return (await adapter.pool!.query(dollarParams(text), params)).rows as Record<string, unknown>[];
      },
    },
    close: close ?? (() => adapter.close()),
  };
}
