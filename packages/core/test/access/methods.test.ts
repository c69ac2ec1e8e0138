import { describe, expect, it } from 'vitest';
import { CrmError, type TenantScope } from '@crmkit/core';
import { testCrm } from '../helpers.js';
import type { MethodCase, MethodSuite, SeedIds } from './method-cases.js';
import { salesMethods } from './methods-sales.js';
import { serviceMethods } from './methods-service.js';
import { accessMethods } from './methods-access.js';

const suites: MethodSuite[] = [salesMethods, serviceMethods, accessMethods];

/** The role of the checks' actor: no level on anything. */
const nobodyRole = { name: 'nobody', grants: {} };

/** Every `service.method` a tenant scope offers: the public API the checks must cover. */
function publicMethods(t: TenantScope): string[] {
  const names: string[] = [];
  for (const [property, service] of Object.entries(t)) {
    if (property === 'events' || typeof service !== 'object' || service === null) continue;
    for (let proto = Object.getPrototypeOf(service); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (name === 'constructor' || typeof (service as Record<string, unknown>)[name] !== 'function') continue;
        names.push(`${property}.${name}`);
      }
    }
  }
  return [...new Set(names)].sort();
}

const cases = new Map<string, MethodCase>(suites.flatMap((s) => Object.entries(s.cases)));

/** Everything a result holds, streams included, as text to search for ids. */
async function drained(value: unknown): Promise<string> {
  if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) {
    const parts: string[] = [];
    for await (const chunk of value as AsyncIterable<unknown>) parts.push(typeof chunk === 'string' ? chunk : JSON.stringify(chunk, bigintSafe));
    return parts.join('\n');
  }
  return JSON.stringify(value ?? null, bigintSafe);
}

function bigintSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

describe('every public service method holds to the actor grant', async () => {
  const { crm } = await testCrm({ access: { roles: [nobodyRole] } });
  const sys = crm.system('acme');
  const owner = await sys.members.create({ name: 'Owner', role: 'admin' });
  const nobody = await sys.members.create({ name: 'Nobody', role: 'rep', roles: ['nobody'] });
  // `rep` is the member's primary role; a stored role of that name replaces the built-in, so the actor has no grant at all.
  await sys.roles.create({ name: 'rep', grants: {} });
  const ids: SeedIds = { owner: owner.id, nobody: nobody.id };
  for (const suite of suites) await suite.seed(sys, ids);
  const seeded = Object.entries(ids).filter(([name]) => name !== 'nobody' && name !== 'owner').map(([, id]) => id);
  const t = crm.tenant('acme', { actorId: nobody.id });

  it('names a check for every public method', () => {
    const missing = publicMethods(t).filter((name) => !cases.has(name));
    expect(missing).toEqual([]);
  });

  for (const [name, c] of cases) {
    it(name, async () => {
      const expectation = c.expect;
      if (typeof expectation === 'object') {
        expect(expectation.system.length).toBeGreaterThan(0);
        return;
      }
      let outcome: { result?: unknown; error?: unknown };
      try {
        outcome = { result: await c.run!(t, ids) };
      } catch (error) {
        outcome = { error };
      }
      if (typeof expectation === 'function') {
        await expectation(outcome, ids);
      } else if (expectation === 'refused') {
        expect(outcome.error, `${name} resolved`).toBeInstanceOf(CrmError);
        expect(['FORBIDDEN', 'NOT_FOUND']).toContain((outcome.error as CrmError).code);
      } else {
        if (outcome.error !== undefined) throw outcome.error;
        const text = await drained(outcome.result);
        for (const id of seeded) expect(text.includes(id), `${name} shows ${id}`).toBe(false);
      }
    });
  }
});
