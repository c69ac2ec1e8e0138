import type { RenewOptions } from '@crmkit/core';
import {
  type ContractRenewalContext, type ContractRenewalEvent, type ContractRenewalInput, type ContractRenewEvent, contractRenewal, contractRenewalTriggers,
  createTriggers,
} from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from './helpers.js';
import { pendingTimers } from './sales-fixtures.js';

let env: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => env?.crm.close());

/**
 * A service contract running to 30 April, owned by Ada, under the renewal
 * triggers: the workflow starts 30 days before the end (31 March), with
 * reminders 14 and 3 days before it.
 */
async function setUp(kind: 'service' | 'warranty' = 'service') {
  const base = await testEngine({ workflows: [contractRenewal] });
  const triggers = createTriggers(base.engine, contractRenewalTriggers({ daysBefore: 30, reminderDays: [14, 3] }), { onError: (error) => { throw error; } });
  const t = base.crm.tenant('acme');
  const ada = await t.members.create({ name: 'Ada' });
  const customer = await t.companies.create({ name: 'Initech' });
  const contract = await t.contracts.create({
    name: 'Coffee machine service 2025', kind, companyId: customer.id, startDate: '2025-05-01', endDate: '2026-04-30', status: 'active', ownerId: ada.id,
    price: { minor: 19_900, currency: 'EUR' },
  });
  await triggers.runDue();
  return { ...base, triggers, t, ada, contract };
}

/** Moves the clock to an instant and runs the triggers and everything due. */
async function at(instant: string) {
  env!.clock.set(instant);
  await env!.triggers.runDue();
  for (let i = 0; i < 3; i++) await env!.engine.runDue();
}
const run = async () => (await env!.engine.instancesOf('acme', { type: 'contract', id: env!.contract.id }, 'contract-renewal'))[0];
const titles = async () => (await env!.t.tasks.list({ where: { linkedId: env!.contract.id }, orderBy: { createdAt: 'asc' } })).items.map((task) => task.title);

describe('contract-renewal reminders', () => {
  it('starts 30 days before the end with the renewal offer task, and arms the reminders and the lapse', async () => {
    env = await setUp();
    await at('2026-03-30T23:59:00.000Z');
    expect(await run()).toBeUndefined();
    // Delays count from the trigger's due time: a scan that comes late makes the timers as late (at most `scanIntervalMs`).
    await at('2026-03-31T00:00:00.000Z');
    const instance = (await run())!;
    expect(instance).toMatchObject({ state: 'open.timing', context: expect.objectContaining({ endsAt: '2026-05-01T00:00:00.000Z', at: '2026-03-31T00:00:00.000Z' }) });
    expect(await titles()).toEqual(['Send the renewal offer for Coffee machine service 2025']);
    expect((await pendingTimers(env.crm, instance.id)).map((timer) => timer.dueAt)).toEqual([
      '2026-04-17T00:00:00.000Z', '2026-04-28T00:00:00.000Z', '2026-05-01T00:00:00.000Z',
    ]);
  });

  it('gives the owner a reminder task 14 and 3 days before the end', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    await at('2026-04-17T00:00:00.000Z');
    await at('2026-04-28T00:00:00.000Z');
    expect(await titles()).toEqual([
      'Send the renewal offer for Coffee machine service 2025',
      'Coffee machine service 2025 ends in 14 days: renew it',
      'Coffee machine service 2025 ends in 3 days: renew it',
    ]);
    expect((await env.t.tasks.list({ where: { linkedId: env.contract.id } })).items.every((task) => task.assigneeId === env!.ada.id)).toBe(true);
    expect(((await run())!.context as ContractRenewalContext).remindersSent).toBe(2);
  });

  it('leaves warranties alone: they lapse unrenewed', async () => {
    env = await setUp('warranty');
    await at('2026-04-01T00:00:00.000Z');
    expect(await run()).toBeUndefined();
  });
});

describe('contract-renewal end', () => {
  it('lapses the contract at its end when nobody renewed it', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    await at('2026-05-01T00:00:00.000Z');
    expect(await run()).toMatchObject({ state: 'lapsed', status: 'done' });
    expect((await env.t.contracts.get(env.contract.id)).status).toBe('expired');
  });

  it('renews on request: the next contract is linked to the old one and the instance ends before the lapse', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    const instance = (await run())!;
    await env.engine.send('acme', instance.id, { type: 'renew', price: { minor: 21_900, currency: 'EUR' } } satisfies ContractRenewalEvent);
    await at('2026-04-02T00:00:00.000Z');
    const old = await env.t.contracts.get(env.contract.id);
    expect(old).toMatchObject({ status: 'renewed', renewedById: expect.any(String) });
    expect(await env.t.contracts.get(old.renewedById!)).toMatchObject({
      status: 'active', renewsContractId: old.id, startDate: '2026-05-01', endDate: '2027-04-30', price: { minor: 21_900, currency: 'EUR' },
    });
    expect(await run()).toMatchObject({ state: 'renewed', status: 'done', context: expect.objectContaining({ nextContractId: old.renewedById }) });
    expect(await pendingTimers(env.crm, instance.id)).toEqual([]);
  });

  it('renews with every option contracts.renew takes: name, dates and price', async () => {
    // Checked by tsc: an option `contracts.renew` gains and the event lacks fails here.
    const missing: Exclude<keyof NonNullable<RenewOptions>, keyof ContractRenewEvent> extends never ? true : never = true;
    expect(missing).toBe(true);
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    const renew = { type: 'renew', name: 'Coffee machine service 2026', startDate: '2026-05-01', endDate: '2026-10-31', price: null } satisfies ContractRenewalEvent;
    await env.engine.send('acme', (await run())!.id, renew);
    await at('2026-04-01T00:00:00.000Z');
    const old = await env.t.contracts.get(env.contract.id);
    expect(await env.t.contracts.get(old.renewedById!)).toMatchObject({
      name: 'Coffee machine service 2026', startDate: '2026-05-01', endDate: '2026-10-31', price: null, renewsContractId: old.id,
    });
    expect(await run()).toMatchObject({ state: 'renewed', status: 'done' });
  });

  it('ends when the contract is renewed outside the workflow (contract.renewed)', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    const { next } = await env.t.contracts.renew(env.contract.id);
    await at('2026-04-01T00:00:00.000Z');
    expect(await run()).toMatchObject({ state: 'renewed', context: expect.objectContaining({ nextContractId: next.id }) });
    await at('2026-05-01T00:00:00.000Z');
    expect((await env.t.contracts.get(env.contract.id)).status).toBe('renewed');
  });

  it('ends when the contract is cancelled', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    await env.t.contracts.cancel(env.contract.id);
    await at('2026-04-01T00:00:00.000Z');
    expect(await run()).toMatchObject({ state: 'cancelled', status: 'done' });
  });
});

describe('contract-renewal when the end moves', () => {
  it('ends when the contract is extended: the trigger starts an instance for the new end, and the old lapse is not armed', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    const first = (await run())!;
    await env.t.contracts.update(env.contract.id, { endDate: '2026-06-30' });
    await at('2026-04-01T00:00:00.000Z');
    expect(await env.engine.get('acme', first.id)).toMatchObject({ state: 'rescheduled', status: 'done' });
    await at('2026-05-01T00:00:00.000Z');
    expect((await env.t.contracts.get(env.contract.id)).status).toBe('active');
    await at('2026-05-31T00:00:00.000Z');
    const runs = await env.engine.instancesOf('acme', { type: 'contract', id: env.contract.id }, 'contract-renewal');
    expect(runs.map((r) => [r.state, (r.context as ContractRenewalContext).endDate])).toEqual([['open.timing', '2026-06-30'], ['rescheduled', '2026-04-30']]);
  });

  it('re-arms for an end moved closer than the trigger would start for', async () => {
    env = await setUp();
    await at('2026-03-31T00:00:00.000Z');
    const instance = (await run())!;
    await env.t.contracts.update(env.contract.id, { endDate: '2026-04-10' });
    await at('2026-03-31T00:00:00.000Z');
    // The 3-day reminder and the lapse, for the new end; the 14-day one would be past.
    expect((await pendingTimers(env.crm, instance.id)).map((timer) => timer.dueAt)).toEqual(['2026-04-08T00:00:00.000Z', '2026-04-11T00:00:00.000Z']);
    await at('2026-04-11T00:00:00.000Z');
    expect(await env.engine.get('acme', instance.id)).toMatchObject({ state: 'lapsed' });
    expect((await env.t.contracts.get(env.contract.id)).status).toBe('expired');
    expect(await titles()).toEqual(['Send the renewal offer for Coffee machine service 2025', 'Coffee machine service 2025 ends in 3 days: renew it']);
  });
});

describe('contract-renewal machine', () => {
  it('skips reminder days already past when it starts late, and never reads a clock', async () => {
    env = await setUp();
    const input: ContractRenewalInput = {
      contractId: env.contract.id, ownerId: env.ada.id, endsAt: '2026-05-01T00:00:00.000Z', at: '2026-04-20T00:00:00.000Z', reminderDays: [14, 3],
    };
    const instance = await env.engine.start('acme', 'contract-renewal', { subject: { type: 'contract', id: env.contract.id }, input });
    // Started on 2 March by the manual clock, the delays still count from `at`: 8 days to the 3-day reminder, 11 to the end.
    expect((await pendingTimers(env.crm, instance.id)).map((timer) => timer.dueAt)).toEqual(['2026-03-10T09:00:00.000Z', '2026-03-13T09:00:00.000Z']);
  });
});
