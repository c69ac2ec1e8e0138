import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const customFields = { contact: z.object({ tier: z.enum(['gold', 'silver']).optional(), score: z.number().int().optional() }) };
const header = ['firstName', 'email', 'phone', 'title', 'custom.tier', 'custom.score', 'tags', 'company.domain', 'lifecycleStage', 'birthDate'];

/** Cells that are sometimes valid and often hostile: quotes, delimiters, newlines, long and non-ASCII text. */
const cell = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '"', '""', ',', '\n', '\r\n', 'a\nb', 'gold', 'silver', '42', '-1', '1e999', 'ada@acme.io', '+44 20 7946 0958', 'lead', '2026-02-30', '1990-01-01', 'acme.io', '[1,2]', '{"a":1}', 'x;y;;z', 'NaN'),
  fc.string({ minLength: 200, maxLength: 400 }),
);

describe.each(targets)('imports of arbitrary input ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open({ customFields });
    if (!target.skip) await env.crm.tenant(`prop-${process.pid}-acme`).companies.create({ name: 'Acme', domain: 'acme.io' });
  });
  afterAll(() => env?.crm.close());
  const run = it.skipIf(target.skip);

  run('never crashes on arbitrary CSV cells and writes or reports every row, on the line it starts on', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: header.length, maxLength: header.length }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 64 }), async (rows, batchSize, chunkSize) => {
        const t = env.crm.tenant(`prop-${process.pid}-${++tenants}`);
        const records = [header, ...rows].map((r) => stringify([r]));
        // The physical line each data row starts on: one past the lines of everything before it.
        const starts: number[] = [];
        let line = 1;
        for (const record of records) {
          starts.push(line);
          line += record.split('\n').length - 1;
        }
        // Bytes in arbitrary chunks: a chunk may end inside a character, a quote or a line break.
        const bytes = new TextEncoder().encode(records.join(''));
        async function* chunks() {
          for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
        }
        const report = await t.imports.run('contact', chunks(), { batchSize, mapping: { columns: { 'company.domain': null } } });
        expect(report.rowsRead).toBe(rows.length);
        expect(report.created + report.rejected).toBe(rows.length);
        const rejectedRows = new Set(report.issues.filter((i) => i.row > 0).map((i) => i.row));
        expect(rejectedRows.size).toBe(report.rejected);
        for (const issue of report.issues.filter((i) => i.row > 0)) expect(issue.line).toBe(starts[issue.row]);
        expect((await t.contacts.list({ limit: 100 })).items).toHaveLength(report.created);
      }),
      { numRuns: target.name === 'sqlite' ? 100 : 30 },
    );
  });

  run('never crashes on arbitrary NDJSON values and writes or reports every line', async () => {
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), cell);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(fc.constantFrom(...header, 'custom', 'other'), value, { maxKeys: 6 }), { minLength: 1, maxLength: 8 }), async (objects) => {
        const t = env.crm.tenant(`prop-${process.pid}-${++tenants}`);
        const report = await t.imports.run('contact', objects.map((o) => JSON.stringify(o)).join('\n'), { format: 'ndjson', batchSize: 3 });
        expect(report.rowsRead).toBe(objects.length);
        expect(report.created + report.rejected).toBe(objects.length);
        expect(new Set(report.issues.filter((i) => i.row > 0).map((i) => i.line)).size).toBe(report.rejected);
      }),
      { numRuns: target.name === 'sqlite' ? 100 : 30 },
    );
  });
});
