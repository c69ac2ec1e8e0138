import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, createCrm } from '@crmkit/core';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { salesStages } from './helpers.js';

/** A stream that keeps what is written to it; `isTTY` as a terminal would say. */
class Captured extends Writable {
  text = '';
  isTTY: boolean;
  columns = 100;

  constructor(tty = false) {
    super({ decodeStrings: false });
    this.isTTY = tty;
  }

  override _write(chunk: string | Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs `crmkit argv` in-process; returns the exit code and what it wrote. */
async function crmkit(argv: string[], options: { tty?: boolean; stdin?: NodeJS.ReadableStream } = {}) {
  const stdout = new Captured();
  const stderr = new Captured(options.tty ?? false);
  const code = await run(argv, { stdout, stderr, progressIntervalMs: 0, ...(options.stdin ? { stdin: options.stdin } : {}) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let dir: string;
let db: string;
const tenant = 'acme';

/** Opens the CLI's database with the library, runs `fn` and closes it (SQLite has one writer). */
async function withLibrary<T>(fn: (crm: Crm) => Promise<T>): Promise<T> {
  const crm = await createCrm({ adapter: sqliteAdapter({ filename: db }) });
  try {
    return await fn(crm);
  } finally {
    await crm.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmkit-cli-'));
  db = join(dir, 'crm.db');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('crmkit migrate', () => {
  it('applies the migrations once, then reports the database up to date', async () => {
    const first = await crmkit(['--db', db, 'migrate']);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied \d+: 0001_crm_core, /) });
    // Global options may also follow the command.
    expect(await crmkit(['migrate', '--db', db])).toMatchObject({ code: 0, stdout: 'up to date\n' });
  });

  it('applies the migrations of @crmkit/workflows with --workflows', async () => {
    const { workflowMigrations } = await import('@crmkit/workflows');
    const result = await crmkit(['--db', db, 'migrate', '--workflows']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`applied ${workflowMigrations.length}: ${workflowMigrations.map((m) => m.id).join(', ')}\n`);
  });
});

describe('crmkit usage errors', () => {
  it.each([
    ['no database', ['export', 'contact', '-', '--tenant', tenant], /--db <file.db>/],
    ['both databases', ['--db', 'x.db', '--url', 'postgres://localhost/x', 'migrate'], /either --db or --url/],
    ['no tenant', ['export', 'contact', '-'], /needs --tenant/],
    ['an unknown command', ['bogus'], /unknown command 'bogus'/],
    ['a missing argument', ['import', 'contact'], /missing required argument 'file'/],
    ['a bad batch size', ['import', 'contact', 'x.csv', '--batch-size', 'ten'], /positive integer/],
    ['update-only without a key', ['import', 'contact', 'x.csv', '--update-only', '--tenant', tenant], /--update-only needs --upsert-on/],
    ['an unknown report', ['report', 'nope', '--tenant', tenant], /unknown report nope/],
    ['a report without its pipeline', ['report', 'funnel', '--tenant', tenant], /needs --pipeline/],
    ['an entity that is not imported', ['import', 'pipeline', 'x.csv', '--tenant', tenant], /cannot import pipeline/],
    ['a bad format', ['export', 'contact', 'x.txt', '--format', 'xml', '--tenant', tenant], /csv or ndjson/],
  ])('exits 2 for %s, with one line saying why', async (what, argv, message) => {
    // Every case but the first two names the test database.
    const result = await crmkit(argv.includes('--db') || argv.includes('--url') || what === 'no database' ? argv : [...argv, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 with a one-line message for a crmkit error', async () => {
    const missing = await crmkit(['--db', db, '--tenant', tenant, 'export', 'segment:nope', '-']);
    expect(missing).toMatchObject({ code: 1, stderr: 'crmkit: segment "nope" was not found\n' });
    const invalid = await crmkit(['--db', db, '--tenant', tenant, 'export', 'contact', '-', '--fields', 'shoeSize']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^crmkit: invalid input: mapping\.columns\.shoeSize: "shoeSize" is not a field/);
    expect(await crmkit(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: crmkit') });
  });
});

describe('crmkit import and export', () => {
  const csv = 'First name,E-mail,Company,Tier\nAda,ada@acme.io,acme.io,gold\n"Grace, ""Amazing""",grace@acme.io,acme.io,silver\nNo email,not-an-email,acme.io,gold\n';
  const mapping = { columns: { 'First name': 'firstName', 'E-mail': 'email', Company: 'company.domain', Tier: 'custom.tier' } };

  beforeAll(async () => {
    await crmkit(['--db', db, 'migrate']);
    await withLibrary((crm) => crm.tenant(tenant).companies.create({ name: 'Acme', domain: 'acme.io' }));
    await writeFile(join(dir, 'people.csv'), csv);
    await writeFile(join(dir, 'mapping.json'), JSON.stringify(mapping));
  });

  it('imports a file with a mapping, writes the rejected rows and exits 1 for them', async () => {
    const rejects = join(dir, 'rejects.ndjson');
    const result = await crmkit(['--db', db, '--tenant', tenant, 'import', 'contact', join(dir, 'people.csv'), '--map', join(dir, 'mapping.json'), '--errors', rejects, '--import-id', 'people-1']);
    expect(result.stdout).toMatch(/^3 rows read: 2 created, 0 updated, 1 rejected \(import people-1\)/);
    expect(result.code).toBe(1);
    const issues = (await readFile(rejects, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(issues).toEqual([expect.objectContaining({ row: 3, column: 'E-mail' })]);
    expect(result.stderr).toMatch(/line 4 \[E-mail\]/);
  });

  it('exports with the same mapping, to a file or to stdout, and as NDJSON by extension', async () => {
    const file = join(dir, 'out.csv');
    const written = await crmkit(['--db', db, '--tenant', tenant, 'export', 'contact', file, '--map', join(dir, 'mapping.json')]);
    expect(written).toMatchObject({ code: 0, stdout: '' });
    expect(written.stderr).toMatch(/exported 2 rows to /);
    expect(parse(await readFile(file, 'utf8'), { columns: true })).toEqual([
      { 'First name': 'Ada', 'E-mail': 'ada@acme.io', Company: 'acme.io', Tier: 'gold' },
      { 'First name': 'Grace, "Amazing"', 'E-mail': 'grace@acme.io', Company: 'acme.io', Tier: 'silver' },
    ]);
    const piped = await crmkit(['--db', db, '--tenant', tenant, 'export', 'contact', '-', '--fields', 'firstName,custom.tier', '--where', '{"email":"ada@acme.io"}']);
    expect(piped).toMatchObject({ code: 0, stdout: 'firstName,custom.tier\nAda,gold\n' });
    const ndjson = join(dir, 'out.ndjson');
    expect((await crmkit(['--db', db, '--tenant', tenant, 'export', 'contact', ndjson, '--fields', 'email'])).code).toBe(0);
    expect(await readFile(ndjson, 'utf8')).toBe('{"email":"ada@acme.io"}\n{"email":"grace@acme.io"}\n');
  });

  it("upserts on a key, and exports a segment's members", async () => {
    await writeFile(join(dir, 'update.csv'), 'E-mail,Tier\nada@acme.io,silver\nnew@acme.io,gold\n');
    const upsert = await crmkit(['--db', db, '--tenant', tenant, 'import', 'contact', join(dir, 'update.csv'), '--map', join(dir, 'mapping.json'), '--upsert-on', 'email']);
    expect(upsert).toMatchObject({ code: 0, stdout: expect.stringMatching(/^2 rows read: 1 created, 1 updated, 0 rejected/) });
    const dry = await crmkit(['--db', db, '--tenant', tenant, 'import', 'contact', join(dir, 'update.csv'), '--map', join(dir, 'mapping.json'), '--upsert-on', 'email', '--update-only', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stdout: expect.stringMatching(/^dry run: 2 rows read: 0 created, 2 updated/) });
    const segment = await withLibrary(async (crm) => {
      const t = crm.tenant(tenant);
      const list = await t.segments.create({ name: 'Silver', kind: 'static' });
      const silver = await t.contacts.list({ where: { 'custom.tier': 'silver' } });
      await t.segments.addMembers(list.id, silver.items.map((c) => c.id));
      return list;
    });
    const out = await crmkit(['--db', db, '--tenant', tenant, 'export', `segment:${segment.id}`, '-', '--fields', 'email']);
    expect(out).toMatchObject({ code: 0, stdout: 'email\nada@acme.io\ngrace@acme.io\n' });
  });

  it('reads the import from stdin with -', async () => {
    const { Readable } = await import('node:stream');
    const stdin = Readable.from(['{"email":"piped@acme.io","firstName":"Piped"}\n']);
    const result = await crmkit(['--db', db, '--tenant', tenant, 'import', 'contact', '-', '--format', 'ndjson'], { stdin });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^1 rows read: 1 created/) });
  });

  it('shows progress as plain lines off a terminal and as a bar with rate and ETA on one', async () => {
    const plain = await crmkit(['--db', db, '--tenant', tenant, 'export', 'contact', join(dir, 'p.csv'), '--page-size', '1']);
    expect(plain.stderr).toMatch(/^export: 1 rows \(\d+%\), \d+ rows\/s\n/);
    expect(plain.stderr).toMatch(/export: 4 rows \(100%\)/);
    const bar = await crmkit(['--db', db, '--tenant', tenant, 'export', 'contact', join(dir, 'b.csv'), '--page-size', '1'], { tty: true });
    expect(bar.stderr).toMatch(/export \[[█░]+\] 100% \| 4 rows \| \d+ rows\/s \| ETA/);
  });
});

describe('crmkit report, duplicates and erase', () => {
  let pipelineId: string;
  let graceId: string;

  beforeAll(async () => {
    await crmkit(['--db', db, 'migrate']);
    ({ pipelineId, graceId } = await withLibrary(async (crm) => {
      const t = crm.tenant('reports');
      const pipeline = await t.pipelines.create({ name: 'Sales', stages: salesStages });
      await t.deals.create({ title: 'A', pipelineId: pipeline.id, amount: { minor: 1000, currency: 'EUR' } });
      await t.contacts.create({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.mil', source: 'navy' });
      const grace = await t.contacts.create({ firstName: 'Grace', lastName: 'Hopper', email: 'GRACE@navy.mil' });
      return { pipelineId: pipeline.id, graceId: grace.id };
    }));
  });

  it('prints a report as JSON, and a list of rows as a table', async () => {
    const summary = await crmkit(['--db', db, '--tenant', 'reports', 'report', 'pipelineSummary', '--pipeline', pipelineId]);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({ pipelineId });
    const rows = await crmkit(['--db', db, '--tenant', 'reports', 'report', 'leadSources', '--options', '{}']);
    expect(rows.code).toBe(0);
    const [header, ...lines] = rows.stdout.trimEnd().split('\n');
    expect(header!.split(/ +/).slice(0, 2)).toEqual(['source', 'contacts']);
    // One row per source (the contact without one included), columns aligned under the header.
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(expect.stringMatching(/^navy {4}1 {9}0/));
    const json = await crmkit(['--db', db, '--tenant', 'reports', 'report', 'leadSources', '--json']);
    expect(Array.isArray(JSON.parse(json.stdout))).toBe(true);
    const bad = await crmkit(['--db', db, '--tenant', 'reports', 'report', 'winRate', '--options', '{"groupBy":"nonsense"}']);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^crmkit: invalid input: /) });
  });

  it('lists likely duplicates, one line per pair', async () => {
    const found = await crmkit(['--db', db, '--tenant', 'reports', 'duplicates', 'contact', '--threshold', '0.5']);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(new RegExp(`^\\d\\.\\d\\d\\t\\w+\\t\\w+\\t.*email`));
    expect(found.stdout).toContain(graceId);
    expect(found.stderr).toBe('1 likely duplicate pairs\n');
    const json = await crmkit(['--db', db, '--tenant', 'reports', 'duplicates', 'contact', '--json']);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ ids: expect.arrayContaining([graceId]) });
    expect((await crmkit(['--db', db, '--tenant', 'reports', 'duplicates', 'deal'])).code).toBe(2);
  });

  it("erases a contact's personal data and prints the erasure record", async () => {
    const erased = await crmkit(['--db', db, '--tenant', 'reports', 'erase', graceId, '--reason', 'GDPR request 42']);
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ contactId: graceId });
    const again = await crmkit(['--db', db, '--tenant', 'reports', 'export', 'contact', '-', '--fields', 'email', '--where', JSON.stringify({ id: graceId })]);
    expect(again.stdout).not.toContain('navy.mil');
    expect((await crmkit(['--db', db, '--tenant', 'reports', 'erase', 'nobody'])).code).toBe(1);
  });
});
