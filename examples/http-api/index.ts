/**
 * The example server: crmkit's HTTP API, the web pages and webhooks on
 * 127.0.0.1, with tenant `demo` seeded from the demo's sales dataset the
 * first time a database file is used.
 *
 *   npm run http-api -- [--port 3000] [--db examples/http-api/http-api.db] [--reset] [--limit N] [--local-webhooks]
 */
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import type { Clock } from '@crmkit/core';
import { serve } from '@hono/node-server';
import { createProgress } from '../demo/progress.js';
import { createApp } from './src/app.js';
import { createHost, type Host } from './src/host/host.js';
import type { SignInRole } from './src/seed/demo-members.js';
import { isSeeded, type SeedReport, seedDemo } from './src/seed/seed-demo.js';
import { issueSignInKeys, type SignInKey } from './src/seed/sign-in-keys.js';
import type { WebhookNetwork } from './src/webhooks/receiver-address.js';

/** The tenant the runner seeds and prints keys for. */
export const demoTenant = 'demo';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** `0` picks a free port (tests). @default 3000 */
  port?: number;
  /** @default '127.0.0.1': the demo's keys are printed on the console, so it listens on this machine only */
  hostname?: string;
  /** SQLite file, created and seeded when new; `:memory:` for tests. @default examples/http-api/http-api.db */
  dbFile?: string;
  /** Deletes the file first, so the tenant is seeded again. @default false */
  reset?: boolean;
  /** Opportunities of the dataset to import when seeding. @default all 8,800 */
  limit?: number;
  /** @default the system clock */
  clock?: Clock;
  /** Signs cursors and session cookies; the same one keeps sessions valid across restarts. @default process.env.HTTP_API_SECRET, else random */
  secret?: string;
  /** Which webhook receivers subscriptions may name (`any`: also this machine and its network). @default 'public' */
  webhookNetwork?: WebhookNetwork;
  /** Called after each imported opportunity while seeding. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** A running server. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: Host;
  /** A fresh API key per sign-in member of tenant `demo`. */
  keys: Record<SignInRole, SignInKey>;
  /** What the seed made, when this start seeded the tenant. */
  seeded: SeedReport | undefined;
  /** Stops accepting connections, then stops the background loops and closes the database. */
  close(): Promise<void>;
}

/** The default database file, next to this script (ignored by git: `*.db`). */
export const defaultDbFile = fileURLToPath(new URL('./http-api.db', import.meta.url));

/** Deletes a SQLite file with its WAL companions. */
async function removeDatabase(filename: string): Promise<void> {
  if (filename === ':memory:') return;
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(filename + suffix, { force: true })));
}

/**
 * Opens the host on a SQLite file, seeds tenant `demo` when it is empty,
 * issues the sign-in keys, starts the background loops and listens.
 * @example
 * const server = await startServer({ port: 0, dbFile: ':memory:', limit: 300 });
 * await fetch(`${server.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${server.keys.rep.token}` } });
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dbFile = options.dbFile ?? defaultDbFile;
  if (options.reset) await removeDatabase(dbFile);
  const secret = options.secret ?? process.env.HTTP_API_SECRET;
  const host = await createHost({
    adapter: sqliteAdapter({ filename: dbFile }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(secret ? { secret } : {}),
    ...(options.webhookNetwork ? { webhookNetwork: options.webhookNetwork } : {}),
  });
  try {
    const seeded = (await isSeeded(host, demoTenant))
      ? undefined
      : await seedDemo(host, {
          tenantId: demoTenant,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
    const keys = await issueSignInKeys(host, demoTenant, `npm run http-api ${host.clock.now().toISOString()}`);
    const app = createApp(host);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const listening = serve({ fetch: app.fetch, port: options.port ?? 3000, hostname: options.hostname ?? '127.0.0.1' }, () => resolve(listening));
    });
    const { address, port } = server.address() as AddressInfo;
    host.start();
    let closing: Promise<void> | undefined;
    return {
      url: `http://${address}:${port}`, host, keys, seeded,
      close: () => (closing ??= (async () => {
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
        await host.close();
      })()),
    };
  } catch (error) {
    await host.close();
    throw error;
  }
}

const usage = `Usage: npm run http-api -- [options]

  --port <n>        port on 127.0.0.1                 default: 3000
  --db <file>       SQLite file (seeded when new)     default: examples/http-api/http-api.db
  --reset           delete the file first and seed again
  --limit <n>       seed only the first n opportunities of the dataset
  --local-webhooks  let webhooks reach this machine and its network (a receiver under development)
  --help            show this help`;

function positive(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`--${name} expects an integer of at least ${min}, got "${text}"`);
  return Number(text);
}

function printSeedReport(report: SeedReport): void {
  const { dataset, timings } = report;
  console.log(`Seeded tenant ${demoTenant} in ${(timings.total / 1000).toFixed(1)} s `
    + `(dataset ${(timings.dataset / 1000).toFixed(1)} s, contacts ${(timings.contacts / 1000).toFixed(1)} s, orders ${(timings.orders / 1000).toFixed(1)} s):`);
  console.log(`  ${dataset.created.deals} deals, ${dataset.created.companies} companies, ${dataset.created.members} members, `
    + `${report.contacts} contacts, ${report.orders} orders, ${report.freshDeals} new deals, ${report.tasks} tasks, ${report.cases} open cases`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' }, db: { type: 'string' }, limit: { type: 'string' },
      reset: { type: 'boolean', default: false }, 'local-webhooks': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = positive('port', values.port, 0);
  const limit = positive('limit', values.limit, 1);
  const progress = createProgress('Seeding: importing opportunities');
  const server = await startServer({
    ...(port === undefined ? {} : { port }),
    ...(values.db === undefined ? {} : { dbFile: values.db }),
    ...(limit === undefined ? {} : { limit }),
    reset: values.reset,
    ...(values['local-webhooks'] ? { webhookNetwork: 'any' as const } : {}),
    onProgress: ({ done, total }) => progress.update(done, total),
  });
  progress.stop();
  if (server.seeded) printSeedReport(server.seeded);
  console.log(`\ncrmkit example server on ${server.url}  (database ${values.db ?? defaultDbFile})\n`);
  console.log('Sign in (each link is a fresh API key of tenant demo):');
  for (const [role, { member, token }] of Object.entries(server.keys)) {
    console.log(`  ${role.padEnd(8)} ${member.name.padEnd(16)} ${server.url}/app/sign-in?key=${token}`);
  }
  console.log(`\nOpenAPI   ${server.url}/api/v1/openapi.json`);
  console.log(`curl      curl -s ${server.url}/api/v1/me/inbox -H "Authorization: Bearer ${server.keys.rep.token}"`);
  console.log('\nCtrl-C stops the server.');
  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping`);
    // No process.exit: the process ends by itself once the server and the loops are closed, which shows nothing leaks.
    server.close().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

// Run only as a script: tests import startServer.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    if (error instanceof Error && !error.message.startsWith('--')) console.error(error.stack);
    process.exitCode = 1;
  });
}
