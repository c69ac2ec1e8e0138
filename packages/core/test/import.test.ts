import type { ImportIssue, ImportProgress } from '@crmkit/core';
import { ValidationError } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const customFields = { contact: z.object({ tier: z.enum(['gold', 'silver']).optional(), score: z.number().int().optional() }) };

/** A source that yields its chunks and then, once `broken` resolves, fails as a broken network stream does. */
async function* failingAfter(chunks: string[], broken: Promise<void>, error: Error): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
  await broken;
  throw error;
}

describe.each(targets)('imports ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open({ customFields });
  });
  afterAll(() => env?.crm.close());
  const tenant = () => env.crm.tenant(`imp-${process.pid}-${++tenants}`);
  const run = it.skipIf(target.skip);

  run('imports contacts with custom fields and a company named by domain, every cell coerced to its field', async () => {
    const t = tenant();
    const acme = await t.companies.create({ name: 'Acme', domain: 'acme.io' });
    const events: string[] = [];
    t.events.on('*', (e) => void events.push(e.type));
    const csv = 'firstName,email,Company,tier,score,tags\nAda,Ada@Acme.io,https://www.acme.io/about,gold,42,vip;new\nBob,bob@x.io,,silver,,\n';
    const report = await t.imports.run('contact', csv, { mapping: { columns: { Company: 'company.domain', tier: 'custom.tier', score: 'custom.score' } } });
    expect(report).toMatchObject({ rowsRead: 2, created: 2, updated: 0, rejected: 0, written: 2, dryRun: false, issues: [] });
    const [ada] = await t.contacts.findByEmail('ada@acme.io');
    expect(ada).toMatchObject({ firstName: 'Ada', email: 'ada@acme.io', companyId: acme.id, custom: { tier: 'gold', score: 42 }, tags: ['vip', 'new'] });
    const [bob] = await t.contacts.findByEmail('bob@x.io');
    expect(bob).toMatchObject({ companyId: null, custom: { tier: 'silver' }, tags: [] });
    // Written through the service: audited and announced like any create.
    expect((await t.audit.forRecord('contact', ada!.id)).items.map((e) => e.action)).toEqual(['create']);
    expect(events).toEqual(['contact.created', 'contact.created']);
  });

  run('reports an unknown column once and an unknown company on its column, writing the other rows', async () => {
    const t = tenant();
    const csv = 'firstName,email,company.domain,shoeSize,shoeSize\nAda,ada@a.io,nowhere.io,42,1\nBob,bob@b.io,,43,1\nCy,cy@c.io,nowhere.io,44,1\n';
    const report = await t.imports.run('contact', csv);
    expect(report).toMatchObject({ rowsRead: 3, created: 1, rejected: 2 });
    expect(report.issues.filter((i) => i.row === 0).map((i) => [i.line, i.code, i.column])).toEqual([
      [1, 'duplicate_column', 'shoeSize'],
      [1, 'unknown_column', 'shoeSize'],
    ]);
    expect(report.issues.filter((i) => i.code === 'unknown_reference')).toEqual([
      expect.objectContaining({ line: 2, row: 1, column: 'company.domain', field: 'companyId' }),
      expect.objectContaining({ line: 4, row: 3, column: 'company.domain', field: 'companyId' }),
    ]);
  });

  run('upserts on email: a known address updates its contact instead of making a second one', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io', title: 'CTO' });
    const report = await t.imports.run('contact', 'email,title,firstName\nADA@acme.io,CEO,Ada\nnew@acme.io,Dev,Neo\n', { mode: 'upsert', key: 'email' });
    expect(report).toMatchObject({ created: 1, updated: 1, rejected: 0 });
    expect((await t.contacts.findByEmail('ada@acme.io')).map((c) => [c.id, c.title])).toEqual([[ada.id, 'CEO']]);
    expect((await t.contacts.get(ada.id)).version).toBe(2);
    // A key twice in one file: the second row updates what the first created.
    const again = await t.imports.run('contact', 'email,title\nz@z.io,One\nz@z.io,Two\n', { mode: 'upsert', key: 'email' });
    expect(again).toMatchObject({ created: 1, updated: 1 });
    expect((await t.contacts.findByEmail('z@z.io')).map((c) => c.title)).toEqual(['Two']);
  });

  run('upserts on phone compared as E.164 and on externalId', async () => {
    const t = tenant();
    const ada = await t.contacts.create({ firstName: 'Ada', phone: '+44 20 7946 0958', externalId: 'crm-1' });
    const byPhone = await t.imports.run('contact', 'phone,title\n+44 (20) 7946-0958,Boss\n', { mode: 'upsert', key: 'phone' });
    expect(byPhone).toMatchObject({ created: 0, updated: 1 });
    const byExternal = await t.imports.run('contact', 'externalId,lastName\ncrm-1,Lovelace\n', { mode: 'update', key: 'externalId' });
    expect(byExternal).toMatchObject({ updated: 1 });
    expect(await t.contacts.get(ada.id)).toMatchObject({ title: 'Boss', lastName: 'Lovelace' });
  });

  run('update only: rows whose key matches nothing are rejected with not_found, nothing is created', async () => {
    const t = tenant();
    await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const report = await t.imports.run('contact', 'email,title\nada@acme.io,CTO\nghost@acme.io,CEO\n,CFO\n', { mode: 'update', key: 'email' });
    expect(report).toMatchObject({ rowsRead: 3, updated: 1, created: 0, rejected: 2 });
    expect(report.issues.map((i) => [i.line, i.code, i.column])).toEqual([[3, 'not_found', 'email'], [4, 'missing_key', 'email']]);
    expect((await t.contacts.list()).items).toHaveLength(1);
  });

  run('reports every rejected row on the physical line it starts on, quoted newlines included', async () => {
    const t = tenant();
    const csv = [
      'firstName,email,title,tier', // 1
      'Ada,ada@a.io,"Chief', // 2
      'Technology Officer",gold', // 3
      'Bad,not-an-email,x,gold', // 4
      '', // 5 (blank, skipped)
      'Cy,cy@c.io,"a', // 6
      '', // 7 (inside the quotes)
      'b",platinum', // 8
      'Dee,dee@d.io,ok', // 9 (one cell short)
      ',,,', // 10 (no name, email or phone)
    ].join('\n');
    const issues: ImportIssue[] = [];
    const report = await t.imports.run('contact', `${csv}\n`, { mapping: { columns: { tier: 'custom.tier' } }, onIssue: (i) => void issues.push(i) });
    expect(report).toMatchObject({ rowsRead: 5, created: 1, rejected: 4 });
    expect(report.issues.map((i) => [i.line, i.row, i.code, i.column ?? null])).toEqual([
      [4, 2, 'invalid_format', 'email'],
      [6, 3, 'invalid_value', 'tier'],
      [9, 4, 'column_count', null],
      [10, 5, 'custom', null],
    ]);
    expect(issues).toEqual(report.issues);
    expect((await t.contacts.findByEmail('ada@a.io'))[0]?.title).toBe('Chief\nTechnology Officer');
  });

  run('a dry run validates and resolves like a real run and writes nothing', async () => {
    const t = tenant();
    await t.companies.create({ name: 'Acme', domain: 'acme.io' });
    const csv = 'firstName,email,company.domain\nAda,ada@a.io,acme.io\nBob,bad,acme.io\nCy,cy@c.io,none.io\n';
    const dry = await t.imports.run('contact', csv, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, rowsRead: 3, created: 1, rejected: 2 });
    expect((await t.contacts.list()).items).toHaveLength(0);
    const real = await t.imports.run('contact', csv);
    expect({ ...real, importId: '', elapsedMs: 0, rowsPerSecond: 0, dryRun: true }).toEqual({ ...dry, importId: '', elapsedMs: 0, rowsPerSecond: 0 });
  });

  run('reports a phone only the service refuses on its own row, in a dry run as in a real one', async () => {
    const t = tenant();
    const csv = 'firstName,Phone\nAda,+44 20 7946 0958\nBob,12\nCy,+44 20 7946 0959\n';
    const options = { mapping: { columns: { Phone: 'phone' } } };
    for (const dryRun of [true, false]) {
      const report = await t.imports.run('contact', csv, { ...options, dryRun });
      expect(report).toMatchObject({ rowsRead: 3, created: 2, rejected: 1 });
      expect(report.issues.map((i) => [i.line, i.column, i.field])).toEqual([[3, 'Phone', 'phone']]);
    }
    expect((await t.contacts.list()).items.map((c) => c.phone).sort()).toEqual(['+442079460958', '+442079460959']);
  });

  run('resumes after a crash in onProgress: the same importId continues after the last committed batch', async () => {
    const t = tenant();
    const rows = Array.from({ length: 10 }, (_, i) => `P${i},p${i}@x.io`);
    const csv = `firstName,email\n${rows.join('\n')}\n`;
    let batches = 0;
    const crash = (p: ImportProgress) => {
      if (++batches === 2) throw new Error(`crash at ${p.rowsRead}`);
    };
    await expect(t.imports.run('contact', csv, { importId: 'nightly-1', batchSize: 3, onProgress: crash })).rejects.toThrow('crash at 6');
    expect((await t.contacts.list({ limit: 100 })).items).toHaveLength(6);
    const report = await t.imports.run('contact', csv, { importId: 'nightly-1', batchSize: 3 });
    expect(report).toMatchObject({ importId: 'nightly-1', resumedFrom: 6, rowsRead: 10, created: 10, rejected: 0 });
    expect((await t.contacts.list({ limit: 100 })).items.map((c) => c.email).sort()).toEqual(rows.map((r) => r.split(',')[1]).sort());
    // Other options cannot continue the run.
    await expect(t.imports.run('contact', csv, { importId: 'nightly-1', mode: 'upsert', key: 'email' })).rejects.toThrow(ValidationError);
  });

  run('resumes after the source stream fails midway, without duplicating rows', async () => {
    const t = tenant();
    const head = 'firstName,email\n';
    const part1 = Array.from({ length: 5 }, (_, i) => `A${i},a${i}@x.io\n`).join('');
    const part2 = Array.from({ length: 5 }, (_, i) => `B${i},b${i}@x.io\n`).join('');
    // The stream breaks once two batches are committed (rows read ahead of the break are lost with it).
    let breakStream = () => {};
    const broken = new Promise<void>((resolve) => (breakStream = resolve));
    let batches = 0;
    const source = failingAfter([head, part1], broken, new Error('socket hang up'));
    await expect(t.imports.run('contact', source, { importId: 'feed', batchSize: 2, onProgress: () => void (++batches === 2 && breakStream()) })).rejects.toThrow('socket hang up');
    const committed = (await t.contacts.list({ limit: 100 })).items.length;
    expect(committed).toBe(4);
    const report = await t.imports.run('contact', [head, part1, part2].join(''), { importId: 'feed', batchSize: 2 });
    expect(report).toMatchObject({ resumedFrom: 4, rowsRead: 10, created: 10 });
    expect((await t.contacts.list({ limit: 100 })).items).toHaveLength(10);
    const generated = await t.imports.run('contact', `${head}Z,z@z.io\n`);
    expect(generated.importId).toMatch(/^[0-9A-Z]{26}$/);
  });

  run('reads NDJSON from byte chunks split inside characters, keeping types and line numbers', async () => {
    const t = tenant();
    const text = ['{"firstName":"Zoë","email":"zoe@x.io","custom":{"score":7}}', '', '{"firstName":"Bad","custom":{"score":"seven"}}', 'not json', '{"lastName":"Ünal","tags":["a"]}'].join('\n');
    const bytes = new TextEncoder().encode(text);
    async function* chunks() {
      for (let at = 0; at < bytes.length; at += 7) yield bytes.subarray(at, at + 7);
    }
    const report = await t.imports.run('contact', chunks(), { format: 'ndjson' });
    expect(report).toMatchObject({ rowsRead: 4, created: 2, rejected: 2, bytesRead: bytes.length });
    expect(report.issues.map((i) => [i.line, i.code, i.field ?? null])).toEqual([[3, 'invalid_type', 'custom.score'], [4, 'malformed_json', null]]);
    expect((await t.contacts.findByEmail('zoe@x.io'))[0]).toMatchObject({ firstName: 'Zoë', custom: { score: 7 } });
  });

  run('keeps tenants apart: references and keys resolve in the importing tenant only', async () => {
    const a = tenant();
    const b = tenant();
    await a.companies.create({ name: 'Acme', domain: 'acme.io' });
    await a.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const report = await b.imports.run('contact', 'firstName,email,company.domain\nAda,ada@acme.io,acme.io\n', { mode: 'upsert', key: 'email' });
    expect(report).toMatchObject({ created: 0, rejected: 1 });
    expect(report.issues[0]).toMatchObject({ code: 'unknown_reference' });
    const upsert = await b.imports.run('contact', 'firstName,email\nAda,ada@acme.io\n', { mode: 'upsert', key: 'email', importId: 'same' });
    expect(upsert).toMatchObject({ created: 1, updated: 0 });
    // The same importId in another tenant is another run.
    expect(await a.imports.run('contact', 'firstName\nX\n', { importId: 'same' })).toMatchObject({ created: 1 });
    expect((await a.contacts.findByEmail('ada@acme.io'))).toHaveLength(1);
  });

  run('rejects bad options before reading anything', async () => {
    const t = tenant();
    await expect(t.imports.run('contact', 'a\n', { mode: 'upsert' })).rejects.toThrow(ValidationError);
    await expect(t.imports.run('contact', 'a\n', { mode: 'upsert', key: 'title' })).rejects.toThrow(ValidationError);
    await expect(t.imports.run('contact', 'a\n', { mapping: { columns: { a: 'shoeSize' } } })).rejects.toThrow(ValidationError);
    await expect(t.imports.run('widget' as never, 'a\n')).rejects.toThrow(ValidationError);
    await expect(t.imports.run('contact', 42 as never)).rejects.toThrow(ValidationError);
    await expect(t.transaction((tt) => tt.imports.run('contact', 'firstName\nA\n'))).rejects.toThrow('transaction');
  });

  run('reports a duplicate found only when writing (the bulk create fails) and writes the rest of the batch', async () => {
    const t = tenant();
    await t.contacts.create({ firstName: 'Old', externalId: 'e-2' });
    const report = await t.imports.run('contact', 'firstName,externalId\nA,e-1\nB,e-2\nC,e-3\nD,e-3\n');
    expect(report).toMatchObject({ rowsRead: 4, created: 2, rejected: 2 });
    expect(report.issues.map((i) => [i.line, i.code, i.column])).toEqual([[3, 'DUPLICATE', 'externalId'], [5, 'DUPLICATE', 'externalId']]);
    expect((await t.contacts.list()).items.map((c) => c.externalId).sort()).toEqual(['e-1', 'e-2', 'e-3']);
  });

  run('stops at CSV it cannot read, after writing the rows before it, and says where', async () => {
    const t = tenant();
    const report = await t.imports.run('contact', 'firstName,title\nAda,ok\nBob,"never closed\nCy,x\n', { batchSize: 1 });
    expect(report).toMatchObject({ rowsRead: 1, created: 1 });
    expect(report.issues).toEqual([expect.objectContaining({ code: 'malformed_csv', row: 0, line: 3 })]);
  });

  run('keeps maxIssues issues and counts all of them', async () => {
    const t = tenant();
    const csv = `email\n${Array.from({ length: 20 }, (_, i) => `bad${i}`).join('\n')}\n`;
    const report = await t.imports.run('contact', csv, { maxIssues: 5 });
    expect(report).toMatchObject({ rejected: 20, issuesTruncated: true });
    expect(report.issues).toHaveLength(5);
  });
});
