import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBase } from '../src/app.js';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
let doc: { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; tags?: string[] }>> };
beforeAll(async () => {
  h = await openTestHost();
  doc = (await (await h.raw(`${apiBase}/openapi.json`)).json()) as typeof doc;
});
afterAll(() => h.close());

const methods = ['get', 'post', 'put', 'patch', 'delete'];

describe('the OpenAPI document', () => {
  it('is served without a key and validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every API route the app serves, with its error responses', () => {
    const served = h.app.routes
      .filter((r) => r.path.startsWith(`${apiBase}/`) && methods.includes(r.method.toLowerCase()) && !r.path.endsWith('/openapi.json'))
      .map((r) => `${r.method.toLowerCase()} ${r.path.slice(apiBase.length).replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => methods.includes(m)).map((m) => `${m} ${path}`));
    expect(new Set(served)).toEqual(new Set(documented));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '422']));
        expect(op.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
      }
    }
  });
});
