import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, noServer, serverUrl } from '../../adapters-postgres/test/pg-target.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages', 'core', 'src', 'cli', 'main.ts');

/** Runs the `crmkit` binary from source as a child process (tsx resolves the workspace packages through tsconfig paths). */
async function crmkit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}

const csv = 'name,domain,sector\nAcme,acme.io,"Tools, hardware"\nGlobex,globex.io,"Energy\n(and more)"\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmkit-bin-'));
  await writeFile(join(dir, 'companies.csv'), csv);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * migrate, import, export through the real process boundary: exit codes,
 * stdout, files. Usage errors, tenants and the other commands are tested
 * in-process (cli.test.ts): every spawn here compiles the sources anew.
 */
async function roundTrip(database: string[]): Promise<void> {
  const migrated = await crmkit([...database, 'migrate']);
  expect(migrated, migrated.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied \d+: /) });
  const imported = await crmkit([...database, '--tenant', 'acme', 'import', 'company', join(dir, 'companies.csv')]);
  expect(imported, imported.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^2 rows read: 2 created, 0 updated, 0 rejected/) });
  const out = join(dir, `out-${database[0]!.slice(2)}.csv`);
  const exported = await crmkit([...database, '--tenant', 'acme', 'export', 'company', out, '--fields', 'name,domain,sector']);
  expect(exported, exported.stderr).toMatchObject({ code: 0 });
  expect(await readFile(out, 'utf8')).toBe(csv);
}

// The two databases run at the same time: each spawn spends seconds compiling, little on the database.
describe.concurrent('the crmkit binary', () => {
  it('migrates, imports and exports a SQLite file (--db)', async () => {
    await roundTrip(['--db', join(dir, 'crm.db')]);
  }, 60_000);

  it.skipIf(serverUrl === undefined)(`migrates, imports and exports on PostgreSQL (--url)${serverUrl === undefined ? ` (${noServer})` : ''}`, async () => {
    const db = await createTestDatabase(serverUrl!);
    try {
      await roundTrip(['--url', db.url]);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
