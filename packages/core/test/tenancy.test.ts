import { NotFoundError } from '@crmkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testCrm } from './helpers.js';

const tenants = ['t1', 't2', 't3'] as const;

type Op =
  | { kind: 'create'; tenant: number; name: string }
  | { kind: 'update'; tenant: number; target: number; name: string }
  | { kind: 'delete'; tenant: number; target: number }
  | { kind: 'get'; tenant: number; target: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), tenant: fc.nat(2), name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '') }),
  fc.record({ kind: fc.constant('update' as const), tenant: fc.nat(2), target: fc.nat(50), name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '') }),
  fc.record({ kind: fc.constant('delete' as const), tenant: fc.nat(2), target: fc.nat(50) }),
  fc.record({ kind: fc.constant('get' as const), tenant: fc.nat(2), target: fc.nat(50) }),
);

describe('tenant isolation', () => {
  it('never lets a tenant read or change another tenant’s records, whatever the sequence of operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const { crm } = await testCrm();
        // The model: every created contact with its tenant and name, minus deletions.
        const created: { id: string; tenant: number; name: string; alive: boolean }[] = [];
        try {
          for (const op of ops) {
            const t = crm.tenant(tenants[op.tenant] as string);
            if (op.kind === 'create') {
              const c = await t.contacts.create({ firstName: op.name });
              created.push({ id: c.id, tenant: op.tenant, name: c.firstName as string, alive: true });
              continue;
            }
            const target = created[op.target % Math.max(created.length, 1)];
            if (!target) continue;
            const visible = target.tenant === op.tenant && target.alive;
            const attempt =
              op.kind === 'update' ? t.contacts.update(target.id, { firstName: op.name })
              : op.kind === 'delete' ? t.contacts.delete(target.id)
              : t.contacts.get(target.id);
            if (!visible) {
              await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
              continue;
            }
            const result = await attempt;
            if (op.kind === 'update') target.name = (result as { firstName: string }).firstName;
            if (op.kind === 'delete') target.alive = false;
          }
          for (const [index, tenant] of tenants.entries()) {
            const listed = (await crm.tenant(tenant).contacts.list({ limit: 1000 })).items.map((c) => [c.id, c.firstName]);
            const expected = created.filter((c) => c.tenant === index && c.alive).map((c) => [c.id, c.name]);
            expect(listed).toEqual(expected);
          }
        } finally {
          await crm.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
