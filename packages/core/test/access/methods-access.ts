import { expect } from 'vitest';
import type { MethodSuite } from './method-cases.js';

/**
 * `roles.*` and `shares.*` for the harness of methods.test.ts. The actor `nobody` has no grant at all, so it
 * reads no role, no member, no record: every record method is refused and lists are empty.
 */
export const accessMethods: MethodSuite = {
  async seed(sys, ids) {
    ids.role = (await sys.roles.create({ name: 'seeded-role', grants: { contact: 'all' } })).id;
    ids.sharedContact = (await sys.contacts.create({ firstName: 'Shared', ownerId: ids.owner })).id;
    // Shared with the owner, not with `nobody`: a share with `nobody` would make it readable.
    ids.share = (await sys.shares.grant({ entity: 'contact', recordId: ids.sharedContact!, memberId: ids.owner!, access: 'read' })).id;
  },
  cases: {
    'roles.create': { run: (t) => t.roles.create({ name: 'mine', grants: { '*': 'all' } }), expect: 'refused' },
    'roles.update': { run: (t, ids) => t.roles.update(ids.role!, { grants: { '*': 'all' } }), expect: 'refused' },
    'roles.delete': { run: (t, ids) => t.roles.delete(ids.role!), expect: 'refused' },
    'roles.get': { run: (t, ids) => t.roles.get(ids.role!), expect: 'refused' },
    'roles.list': { run: (t) => t.roles.list(), expect: 'empty' },
    'roles.effective': {
      // The actor's own access is theirs to know: here, nothing on any entity; another member's is refused (members unreadable).
      run: async (t, ids) => ({ own: await t.roles.effective(), other: await t.roles.effective(ids.owner).catch((e: unknown) => e) }),
      expect: ({ result, error }) => {
        expect(error).toBeUndefined();
        const { own, other } = result as { own: { levels: Record<string, Record<string, string>> }; other: { code?: string } };
        for (const actions of Object.values(own.levels)) for (const level of Object.values(actions)) expect(level).toBe('none');
        expect(other.code).toBe('NOT_FOUND');
      },
    },
    'shares.grant': { run: (t, ids) => t.shares.grant({ entity: 'contact', recordId: ids.sharedContact!, memberId: ids.nobody!, access: 'write' }), expect: 'refused' },
    'shares.revoke': { run: (t, ids) => t.shares.revoke(ids.share!), expect: 'refused' },
    'shares.forRecord': { run: (t, ids) => t.shares.forRecord('contact', ids.sharedContact!), expect: 'refused' },
    'shares.list': { run: (t) => t.shares.list(), expect: 'empty' },
  },
};
