import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const csv = { 'content-type': 'text/csv' };
const ndjson = { 'content-type': 'application/x-ndjson' };
const lines = (text: string) => text.trimEnd().split('\n');

/** A key for the admin of another tenant, `globex`, with no records yet. */
async function otherTenantKey(): Promise<Record<string, string>> {
  const admin = await h.host.crm.system('globex').members.create({ name: 'Gus Admin', email: 'gus@globex.test', role: 'admin' });
  const { token } = await h.host.credentials.issue('globex', admin.id, { kind: 'api-key', label: 'globex admin' });
  return { authorization: `Bearer ${token}` };
}

/** The chunks of a streamed response body, as the client receives them. */
async function chunksOf(res: Response): Promise<string[]> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(decoder.decode(value));
  }
}

describe('imports over HTTP', () => {
  it('imports a CSV body and reports every rejected row with its line, column and code', async () => {
    const file = 'firstName,email,lifecycleStage,shoeSize\nAda,ada@acme.io,customer,38\nBo,not-an-email,lead,44\nCy,cy@acme.io,royalty,41\n';
    const report = await h.call('POST', '/imports/contact', { headers: csv, body: file });
    expect(report.status).toBe(200);
    expect([report.body.rowsRead, report.body.created, report.body.rejected, report.body.dryRun]).toEqual([3, 1, 2, false]);
    expect(report.body.issues.map((i: any) => [i.line, i.column, i.code])).toEqual([
      [1, 'shoeSize', 'unknown_column'], [3, 'email', 'invalid_format'], [4, 'lifecycleStage', 'invalid_value'],
    ]);
    expect((await h.call('GET', '/contacts')).body.items.map((c: any) => c.email)).toEqual(['ada@acme.io']);
  });

  it('reads the body as a stream, whatever its chunks split: rows, and characters across chunks', async () => {
    const bytes = new TextEncoder().encode('firstName,email\nZoë,zoe@acme.io\nBo,bo@acme.io\n');
    const cuts = [5, 19, 20, 33]; // inside the header, inside the two bytes of "ë", inside the second row
    const parts = [0, ...cuts, bytes.length].slice(1).map((end, i) => bytes.slice([0, ...cuts][i], end));
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const part = parts[pulled++];
        if (part === undefined) controller.close();
        else controller.enqueue(part);
      },
    });
    const res = await h.raw('/api/v1/imports/contact', {
      method: 'POST', body, duplex: 'half', headers: { authorization: `Bearer ${h.keys.admin}`, ...csv },
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rowsRead: 2, created: 2, rejected: 0, bytesRead: bytes.length });
    expect(pulled).toBe(parts.length + 1);
    const { body: list } = await h.call('GET', '/contacts?orderBy=firstName:desc');
    expect(list.items.map((c: any) => c.firstName)).toEqual(['Zoë', 'Bo']);
  });

  it('validates without writing in a dry run, then upserts on a key', async () => {
    await h.host.crm.system('acme').contacts.create({ firstName: 'Ada', email: 'ada@acme.io', title: 'CTO' });
    const file = 'email,title\nADA@acme.io,CEO\nbo@acme.io,Dev\n';
    const dry = await h.call('POST', '/imports/contact?mode=upsert&key=email&dryRun=true', { headers: csv, body: file });
    expect(dry.body).toMatchObject({ dryRun: true, created: 1, updated: 1, rejected: 0 });
    expect((await h.call('GET', '/contacts')).body.items).toHaveLength(1);
    const real = await h.call('POST', '/imports/contact?mode=upsert&key=email&importId=crm-sync-1', { headers: csv, body: file });
    expect(real.body).toMatchObject({ importId: 'crm-sync-1', created: 1, updated: 1 });
    const titles = (await h.call('GET', '/contacts?orderBy=email:asc')).body.items.map((c: any) => [c.email, c.title]);
    expect(titles).toEqual([['ada@acme.io', 'CEO'], ['bo@acme.io', 'Dev']]);
  });

  it('imports NDJSON with its JSON types, and a mapping from the query', async () => {
    const body = `${JSON.stringify({ Name: 'Acme', Web: 'https://www.acme.io/', employees: 120 })}\n${JSON.stringify({ Name: 'Globex', employees: 'lots' })}\n`;
    const mapping = encodeURIComponent(JSON.stringify({ columns: { Name: 'name', Web: 'domain' } }));
    const report = await h.call('POST', `/imports/company?mapping=${mapping}`, { headers: ndjson, body });
    expect([report.body.created, report.body.rejected]).toEqual([1, 1]);
    expect(report.body.issues.map((i: any) => [i.line, i.code])).toEqual([[2, 'invalid_type']]);
    expect((await h.call('GET', '/companies')).body.items.map((c: any) => [c.name, c.domain, c.employees])).toEqual([['Acme', 'acme.io', 120]]);
  });

  it('answers bad options with 422, a body of another type with 415, malformed JSON options with 400', async () => {
    expect((await h.call('POST', '/imports/contact?mode=upsert', { headers: csv, body: 'email\na@b.io\n' })).status).toBe(422);
    const badKey = await h.call('POST', '/imports/contact?mode=upsert&key=shoeSize', { headers: csv, body: 'email\na@b.io\n' });
    expect([badKey.status, badKey.body.issues[0].path]).toEqual([422, ['key']]);
    expect((await h.call('POST', '/imports/spaceship', { headers: csv, body: 'name\nx\n' })).status).toBe(422);
    expect((await h.call('POST', '/imports/contact', { headers: { 'content-type': 'text/plain' }, body: 'email\na@b.io\n' })).status).toBe(415);
    expect((await h.call('POST', '/imports/contact?mapping=%7Bnope', { headers: csv, body: 'email\na@b.io\n' })).status).toBe(400);
    expect((await h.call('GET', '/contacts')).body.items).toEqual([]);
  });

  it("writes only what the member's grants allow: a rep's row for another owner is FORBIDDEN", async () => {
    const file = 'firstName,owner.email\nRita,rep@acme.test\nRavi,rep2@acme.test\n';
    const report = await h.call('POST', '/imports/contact', { as: 'rep', headers: csv, body: file });
    expect([report.body.created, report.body.rejected]).toEqual([1, 1]);
    expect(report.body.issues.map((i: any) => [i.line, i.code])).toEqual([[3, 'FORBIDDEN']]);
    expect((await h.call('GET', '/contacts')).body.items.map((c: any) => [c.firstName, c.ownerId])).toEqual([['Rita', h.members.rep.id]]);
  });
});

describe('exports over HTTP', () => {
  it('round-trips contacts: exported as CSV, imported into another tenant, exported back the same', async () => {
    const s = h.host.crm.system('acme');
    await s.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.io', lifecycleStage: 'customer', tags: ['vip', 'beta'] });
    await s.contacts.create({ firstName: 'Bo, Jr.', email: 'bo@acme.io', tags: [] });
    await s.contacts.create({ firstName: 'Cy "the kid"', lastName: 'Young', lifecycleStage: 'lead' });
    const fields = 'firstName,lastName,email,lifecycleStage,tags';
    const exported = await h.call('GET', `/exports/contact?fields=${fields}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="contact.csv"');
    const [header, ...rows] = lines(exported.body);
    expect(header).toBe(fields);
    expect(rows.sort()).toEqual([
      '"Bo, Jr.",,bo@acme.io,lead,[]',
      '"Cy ""the kid""",Young,,lead,[]',
      'Ada,Lovelace,ada@acme.io,customer,"[""vip"",""beta""]"',
    ]);

    const globex = await otherTenantKey();
    const dry = await h.call('POST', '/imports/contact?dryRun=true', { as: null, headers: { ...globex, ...csv }, body: exported.body });
    expect(dry.body).toMatchObject({ dryRun: true, rowsRead: 3, created: 3, rejected: 0, issues: [] });
    const imported = await h.call('POST', '/imports/contact', { as: null, headers: { ...globex, ...csv }, body: exported.body });
    expect([imported.body.created, imported.body.rejected]).toEqual([3, 0]);
    const back = await h.call('GET', `/exports/contact?fields=${fields}`, { as: null, headers: globex });
    // Ids (the export's order) are new in the other tenant; the rows are the same.
    expect(lines(back.body).slice(1).sort()).toEqual(rows.sort());
  });

  it('streams a large export a page per chunk, filtered by a where-tree', async () => {
    const people = Array.from({ length: 120 }, (_, i) => `P${String(i).padStart(3, '0')},p${i}@acme.io,${i % 3 === 0 ? 'customer' : 'lead'}`);
    await h.host.crm.system('acme').imports.run('contact', `firstName,email,lifecycleStage\n${people.join('\n')}\n`);
    const all = await h.call('GET', '/exports/contact?fields=firstName,email&pageSize=25');
    expect(lines(all.body)).toHaveLength(121);
    expect(new Set(lines(all.body).slice(1)).size).toBe(120);

    const res = await h.raw('/api/v1/exports/contact?fields=email&pageSize=25', { headers: { authorization: `Bearer ${h.keys.admin}` } });
    const chunks = await chunksOf(res);
    // The header, then pages of 25, 25, 25, 25 and 20 records.
    expect(chunks.map((c) => lines(c).length)).toEqual([1, 25, 25, 25, 25, 20]);

    const where = encodeURIComponent(JSON.stringify({ lifecycleStage: 'customer' }));
    const customers = await h.call('GET', `/exports/contact?fields=email&where=${where}`);
    expect(lines(customers.body)).toHaveLength(1 + 40);
  });

  it("exports NDJSON with typed values, and a segment's members", async () => {
    const s = h.host.crm.system('acme');
    const ada = await s.contacts.create({ firstName: 'Ada', email: 'ada@acme.io', tags: ['vip'] });
    await s.contacts.create({ firstName: 'Bo', email: 'bo@acme.io' });
    const list = await s.segments.create({ name: 'Newsletter', kind: 'static' });
    await s.segments.addMembers(list.id, [ada.id]);
    const members = await h.call('GET', `/exports/segments/${list.id}?fields=email,tags`);
    expect(members.body).toBe('email,tags\nada@acme.io,"[""vip""]"\n');
    // NDJSON is read raw: a body of several JSON lines is not one JSON document.
    const res = await h.raw(`/api/v1/exports/segments/${list.id}?format=ndjson&fields=email,tags`, { headers: { authorization: `Bearer ${h.keys.admin}` } });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(lines(await res.text()).map((l) => JSON.parse(l))).toEqual([{ email: 'ada@acme.io', tags: ['vip'] }]);
    expect((await h.call('GET', '/exports/segments/01NOPE')).status).toBe(404);
  });

  it("exports only what the member's export grant covers: a rep their own, a manager their team's, an agent nothing (403)", async () => {
    const s = h.host.crm.system('acme');
    await s.contacts.create({ firstName: 'Ada', ownerId: h.members.rep2.id });
    await s.contacts.create({ firstName: 'Nobody' });
    await h.call('POST', '/contacts', { as: 'rep', body: { firstName: 'Rita' } });
    const names = async (as: 'rep' | 'manager' | 'admin') => lines((await h.call('GET', '/exports/contact?fields=firstName', { as })).body).slice(1).sort();
    expect(await names('rep')).toEqual(['Rita']);
    expect(await names('manager')).toEqual(['Ada', 'Rita']);
    expect(await names('admin')).toEqual(['Ada', 'Nobody', 'Rita']);
    const byAgent = await h.call('GET', '/exports/contact', { as: 'agent' });
    expect([byAgent.status, byAgent.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('answers bad export options before streaming: 422 for an unknown field, entity or where field, 400 for malformed JSON', async () => {
    expect((await h.call('GET', '/exports/contact?fields=shoeSize')).status).toBe(422);
    expect((await h.call('GET', '/exports/spaceship')).status).toBe(422);
    expect((await h.call('GET', `/exports/contact?where=${encodeURIComponent('{"shoeSize":44}')}`)).status).toBe(422);
    expect((await h.call('GET', '/exports/contact?pageSize=5000')).status).toBe(422);
    expect((await h.call('GET', '/exports/contact?where=%7B')).status).toBe(400);
  });
});
