import { CrmError, coreModels, type TenantScope } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesStages, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
let acme: TenantScope;
let foreign: { contactId: string; companyId: string; dealId: string; pipelineId: string; taskId: string };

beforeAll(async () => {
  env = await testCrm();
  acme = env.crm.tenant('acme');
  await acme.contacts.create({ firstName: 'Resident' });
  const other = env.crm.tenant('other');
  const pipeline = await other.pipelines.create({ name: 'Sales', stages: salesStages });
  foreign = {
    contactId: (await other.contacts.create({ firstName: 'Foreign' })).id,
    companyId: (await other.companies.create({ name: 'Foreign Co' })).id,
    dealId: (await other.deals.create({ title: 'Foreign deal', pipelineId: pipeline.id })).id,
    pipelineId: pipeline.id,
    taskId: (await other.tasks.create({ title: 'Foreign task' })).id,
  };
});
afterAll(() => env.crm.close());

const sqlFragments = ["'; DROP TABLE crm_contact; --", '" OR 1=1 --', "x') UNION SELECT * FROM crm_contact --", '%', '_', '\\', '\u0000', 'custom.a); DELETE FROM crm_deal; --'];
const hostileString = fc.oneof(
  fc.constantFrom(...sqlFragments),
  fc.string(),
  fc.string({ minLength: 70_000, maxLength: 70_100 }),
  fc.constantFrom('__proto__', 'constructor', 'toString'),
);
const hostileValue = fc.oneof(hostileString, fc.anything(), fc.constantFrom(null, undefined, NaN, Infinity, -0, 2n ** 70n));
const contactFields = new Set(Object.keys(coreModels.contact.fields));
/** Keys that are not a real field (or a path into one): a where-tree over them must be refused. */
const unknownKey = hostileString.filter((k) => !['and', 'or', 'not'].includes(k) && !contactFields.has(k.split('.')[0] ?? ''));
const listOptionKeys = new Set(['where', 'orderBy', 'limit', 'cursor']);
const foreignId = () => fc.constantFrom('contactId', 'companyId', 'dealId', 'pipelineId', 'taskId' as const).map((key) => foreign[key]);

/** Calls that must fail for every generated input. */
const attacks: Record<string, fc.Arbitrary<(t: TenantScope) => Promise<unknown>>> = {
  'contacts.create': fc.oneof(hostileValue, fc.dictionary(hostileString, hostileValue, { minKeys: 1 })).map((input) => (t) => t.contacts.create(input as never)),
  'contacts.update (foreign or hostile id)': fc.tuple(fc.oneof(hostileString, foreignId()), hostileValue).map(([id, patch]) => (t) => t.contacts.update(id, patch as never)),
  'contacts.get': fc.oneof(hostileString, foreignId(), hostileValue).map((id) => (t) => t.contacts.get(id as never)),
  'contacts.delete': fc.oneof(hostileString, foreignId()).map((id) => (t) => t.contacts.delete(id)),
  'contacts.list (hostile where)': fc.dictionary(unknownKey, hostileValue, { minKeys: 1 }).map((where) => (t) => t.contacts.list({ where: where as never })),
  'contacts.list (hostile options)': hostileValue.filter((v) => v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v) || Object.keys(v).some((k) => !listOptionKeys.has(k)))).map((options) => (t) => t.contacts.list(options as never)),
  'companies.create': fc.oneof(hostileValue, fc.record({ name: hostileString, domain: hostileString, parentCompanyId: foreignId() })).map((input) => (t) => t.companies.create(input as never)),
  'deals.create (foreign pipeline)': fc.record({ title: fc.string({ minLength: 1 }), pipelineId: foreignId() }).map((input) => (t) => t.deals.create(input)),
  'deals.moveToStage': fc.tuple(fc.oneof(hostileString, foreignId()), hostileString).map(([id, stage]) => (t) => t.deals.moveToStage(id, stage)),
  'deals.addContact (foreign contact)': foreignId().map((id) => (t) => t.deals.addContact(foreign.dealId, id)),
  'interactions.log': fc.record({ type: fc.constantFrom('call', 'email'), contactIds: fc.array(foreignId(), { minLength: 1 }) }).map((input) => (t) => t.interactions.log(input as never)),
  'tasks.complete (foreign task)': foreignId().map((id) => (t) => t.tasks.complete(id)),
  'timeline.forContact': fc.oneof(hostileString.filter((s) => s.length > 64), hostileValue.filter((v) => typeof v !== 'string')).map((id) => (t) => t.timeline.forContact(id as never)),
};

describe('hostile input', () => {
  for (const [name, attack] of Object.entries(attacks)) {
    it(`${name} gives a typed error and leaves the database byte-for-byte unchanged`, async () => {
      await fc.assert(
        fc.asyncProperty(attack, async (call) => {
          const before = env.adapter.database.serialize();
          const error = await call(acme).then(() => undefined, (e: unknown) => e);
          expect(error).toBeInstanceOf(CrmError);
          expect(Buffer.compare(env.adapter.database.serialize(), before)).toBe(0);
        }),
        { numRuns: 60 },
      );
    });
  }
});
