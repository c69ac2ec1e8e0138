import { createCrm } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from '../targets.js';
import { checkEveryone, opArb, runOp } from './property-ops.js';
import { type PoolEntry, rolesArb, type SeededTenant, seedTenant, tenantArb } from './property-world.js';

/**
 * Access control against a model of its rules (access-model.ts): random role
 * definitions (custom ones, and replacements of built-ins; per tenant also
 * stored roles of their own or replacing those), two tenants of random team
 * forests, members with one to three roles, contacts, deals and cases with
 * random owners (and teams) and shares; then random gets, paged lists (with
 * and without a filter, by id or by a field), counts, updates, reassignments,
 * deletes, creates, share grants and share listings, each as a random member
 * (in a new scope or a kept one) or the system scope, on records of either
 * tenant, mixed with the system moving members between teams, moving teams
 * and deleting stored roles. Every call must succeed exactly when the model
 * permits it, fail with NotFoundError when the actor may not read the record
 * (or it is another tenant's) and ForbiddenError when they may read but not
 * do it; every list and count must hold exactly the records the model shows
 * the actor; at the end every member's lists, and the system's, equal it.
 */

const targets = crmTargets();

const scenarioArb = fc.record({
  roles: rolesArb,
  tenants: fc.tuple(tenantArb, tenantArb),
  ops: fc.array(opArb, { minLength: 5, maxLength: 25 }),
});

describe.each(targets)('access, property ($name)', (target) => {
  let env: CrmOnTarget;
  let runs = 0;

  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('every call succeeds, is missing or is refused exactly as the model of the rules says', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ roles, tenants: specs, ops }) => {
        // A Crm per run on the same database: the run's roles are code roles.
        const crm = await createCrm({ adapter: env.adapter, clock: env.clock, access: { roles } });
        const run = ++runs;
        const pool: PoolEntry[] = [];
        const tenants: SeededTenant[] = [];
        for (const [i, spec] of specs.entries()) tenants.push(await seedTenant(crm, `acc-${process.pid}-${run}-${i}`, roles, spec, pool, i));
        for (const [step, op] of ops.entries()) await runOp(crm, tenants, pool, op, step);
        await checkEveryone(crm, tenants);
      }),
      { numRuns: target.name === 'sqlite' ? 100 : 25 },
    );
  }, 60_000);
});
