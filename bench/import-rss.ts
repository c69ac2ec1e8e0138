/**
 * The RSS of an import in a plain node process, without tsx and the bench's
 * other suites loaded, as a host application runs it: bundle this file, then
 *
 *   npx esbuild bench/import-rss.ts --bundle --platform=node --format=esm --tsconfig=tsconfig.json \
 *     --external:better-sqlite3 --external:pg --outfile=node_modules/.cache/import-rss.mjs \
 *     --banner:js="import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
 *   node --expose-gc node_modules/.cache/import-rss.mjs 1000000 /tmp
 *
 * It writes the CSV of `npm run bench -- --import` (argument 1: rows) into the
 * directory of argument 2, imports it into a fresh SQLite file there, and prints
 * rows/s and the RSS at the start and at its peak (sampled every 2 ms by a worker).
 */
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createCrm, coreMigrations } from '@crmkit/core';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { importMapping, writeImportCsv } from './import-data.js';
const n = Number(process.argv[2] ?? 100000);
const dir = process.argv[3] ?? '.';
const csv = `${dir}/rss.csv`;
await writeImportCsv(csv, n, 42);
const peak = new Int32Array(new SharedArrayBuffer(4));
const sampler = new Worker(`const { workerData } = require('node:worker_threads'); const p = new Int32Array(workerData); setInterval(() => { const kb = Math.round(process.memoryUsage.rss() / 1024); if (kb > Atomics.load(p, 0)) Atomics.store(p, 0, kb); }, 2);`, { eval: true, workerData: peak.buffer });
sampler.unref();
const db = `${dir}/rss-${Date.now()}.db`;
const adapter = sqliteAdapter({ filename: db });
await adapter.migrate(coreMigrations);
const t = (await createCrm({ adapter })).tenant('bench');
globalThis.gc?.();
const start = process.memoryUsage.rss();
Atomics.store(peak, 0, Math.round(start / 1024));
const t0 = performance.now();
const report = await t.imports.run('contact', createReadStream(csv), { mapping: importMapping });
const ms = performance.now() - t0;
console.log(JSON.stringify({ n, created: report.created, rowsPerSec: Math.round(n / ms * 1000), rssStartMB: Math.round(start / 1048576), rssPeakMB: Math.round(Math.max(Atomics.load(peak, 0) * 1024, process.memoryUsage.rss()) / 1048576) }));
await adapter.close();
await sampler.terminate();
