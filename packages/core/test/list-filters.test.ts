import { ValidationError, coreModels } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeAll(async () => {
  env = await testCrm();
});
afterAll(() => env.crm.close());

describe('list filters', () => {
  it('refuses a sub-query in a filter a caller passes, at any depth, even of a real model', async () => {
    const t = env.crm.tenant('acme');
    await t.contacts.create({ firstName: 'Ada' });
    // A model parsed from a request could name any table of the database with made-up columns.
    const forged = { name: 'x', table: 'sqlite_master', fields: { tenantId: { type: 'string', column: 'type' }, id: { type: 'string', column: 'name' } }, indexes: [], versioned: false };
    const subQueries = [
      { id: { inQuery: { model: forged, field: 'id' } } },
      { id: { inQuery: { model: coreModels.dealContact, field: 'contactId' } } },
      { or: [{ firstName: 'Ada' }, { not: { and: [{ id: { inQuery: { model: coreModels.dealContact, field: 'contactId' } } }] } }] },
    ];
    for (const where of subQueries) {
      const error = await t.contacts.list({ where: where as never }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toEqual(['where']);
    }
    expect((await t.contacts.list({ where: { or: [{ firstName: 'Ada' }, { not: { firstName: 'Bob' } }] } })).items).toHaveLength(1);
  });
});
