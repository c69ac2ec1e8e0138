import { type CaseStatus, caseStatuses, caseTransitions, type CrmEvent, NotFoundError, StateError, type TenantScope, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const minute = 60_000;
let open: CrmOnTarget | undefined;
let runs = 0;
afterEach(async () => {
  await open?.crm.close();
  open = undefined;
});

async function setUp(target: (typeof targets)[number]): Promise<CrmOnTarget & { t: TenantScope; tenantId: string }> {
  open = await target.open();
  const tenantId = `cases-${process.pid}-${++runs}`;
  return { ...open, t: open.crm.tenant(tenantId), tenantId };
}

describe.each(targets)('cases ($name)', (target) => {
  it.skipIf(target.skip)('number cases per tenant from 1, also when many are opened at once', async () => {
    const { crm, t } = await setUp(target);
    const other = crm.tenant(`${t.tenantId}-other`);
    expect((await t.cases.create({ subject: 'First' })).number).toBe(1);
    expect((await other.cases.create({ subject: 'Theirs' })).number).toBe(1);
    const concurrent = await Promise.all(Array.from({ length: 12 }, (_, i) => t.cases.create({ subject: `Rush ${i}` })));
    expect(concurrent.map((c) => c.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect((await other.cases.create({ subject: 'Next' })).number).toBe(2);
  });

  it.skipIf(target.skip)('give every one of many concurrent creates its own number, the first ones of a tenant too, without failing any', async () => {
    const { crm } = await setUp(target);
    // A fresh tenant: the first creates also race to make its counter.
    const fresh = crm.tenant(`fresh-${target.name.replace(/\W/g, '')}`);
    const lanes = await Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        const numbers: number[] = [];
        for (let i = 0; i < 15; i++) numbers.push((await fresh.cases.create({ subject: `Lane ${lane} #${i}` })).number);
        return numbers;
      }),
    );
    const numbers = lanes.flat().sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const lane of lanes) expect(lane).toEqual([...lane].sort((a, b) => a - b));
  });

  it.skipIf(target.skip)('number cases created in concurrent host transactions, which cannot retry, without a clash', async () => {
    const { t } = await setUp(target);
    expect((await t.cases.create({ subject: 'First' })).number).toBe(1);
    // Each transaction waits on the tenant's counter row: none computes a number another one takes.
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => t.transaction((tt) => tt.cases.create({ subject: `In a transaction ${i}` }))));
    expect(created.map((c) => c.number).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.skipIf(target.skip)('check references in the tenant and take the contact company', async () => {
    const { crm, t } = await setUp(target);
    const acme = await t.companies.create({ name: 'Acme' });
    const ada = await t.contacts.create({ firstName: 'Ada', companyId: acme.id });
    const c = await t.cases.create({ subject: 'Broken', contactId: ada.id, type: 'incident', channel: 'email', priority: 'high' });
    expect(c).toMatchObject({ companyId: acme.id, status: 'new', type: 'incident', channel: 'email', priority: 'high', slaPolicyId: null });
    const theirs = await crm.tenant(`${t.tenantId}-x`).contacts.create({ firstName: 'Them' });
    await expect(t.cases.create({ subject: 'x', contactId: theirs.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contact' });
    await expect(t.cases.create({ subject: 'x', assetId: 'no-such-asset' })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'asset' });
    await expect(t.cases.create({ subject: 'x', contractId: 'no-such-contract' })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'contract' });
    await expect(t.cases.create({ subject: 'x', type: 'rant' as never })).rejects.toBeInstanceOf(ValidationError);
    const printer = await t.products.create({ name: 'Printer', warrantyMonths: 12 });
    const asset = await t.assets.create({ productId: printer.id, serialNumber: 'P-1', contactId: ada.id });
    const [warranty] = await t.contracts.ofAsset(asset.id);
    const claim = await t.cases.create({ subject: 'Jams', type: 'warranty_claim', contactId: ada.id, assetId: asset.id, contractId: warranty!.id });
    expect(claim).toMatchObject({ assetId: asset.id, contractId: warranty!.id });
    await expect(crm.tenant(`${t.tenantId}-x`).cases.get(c.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.skipIf(target.skip)('return the case an earlier create with the same idempotency key made', async () => {
    const { t } = await setUp(target);
    const first = await t.cases.create({ subject: 'Once' }, { idempotencyKey: 'mail-1' });
    const again = await t.cases.create({ subject: 'Once' }, { idempotencyKey: 'mail-1' });
    expect(again.id).toBe(first.id);
    expect((await t.cases.list()).items).toHaveLength(1);
  });

  it.skipIf(target.skip)('move only along the status machine, and reopen resolved or closed cases', async () => {
    const { t } = await setUp(target);
    const c = await t.cases.create({ subject: 'Machine' });
    await expect(t.cases.setStatus(c.id, 'closed')).rejects.toBeInstanceOf(StateError);
    await expect(t.cases.reopen(c.id)).rejects.toBeInstanceOf(StateError);
    await t.cases.setStatus(c.id, 'resolved');
    await expect(t.cases.setStatus(c.id, 'pending')).rejects.toBeInstanceOf(StateError);
    await expect(t.cases.respond(c.id, { body: 'late' })).rejects.toBeInstanceOf(StateError);
    const closed = await t.cases.setStatus(c.id, 'closed');
    expect(closed.closedAt).not.toBeNull();
    await expect(t.cases.addCustomerMessage(c.id, { body: 'hello?' })).rejects.toBeInstanceOf(StateError);
    const reopened = await t.cases.reopen(c.id);
    expect(reopened).toMatchObject({ status: 'open', reopenCount: 1, resolvedAt: null, closedAt: null, resolutionMinutes: null });
    await expect(t.cases.setStatus(c.id, 'bogus' as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it.skipIf(target.skip)('accept exactly the moves of the transition table, from any reachable status', async () => {
    const { t } = await setUp(target);
    const c = await t.cases.create({ subject: 'Walk' });
    let status: CaseStatus = 'new';
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...caseStatuses), async (to) => {
        const allowed = to === status || caseTransitions[status].includes(to);
        if (allowed) {
          status = (await t.cases.setStatus(c.id, to)).status;
          expect(status).toBe(to);
        } else {
          await expect(t.cases.setStatus(c.id, to)).rejects.toBeInstanceOf(StateError);
          expect((await t.cases.get(c.id)).status).toBe(status);
        }
      }),
      { numRuns: target.name === 'sqlite' ? 60 : 20 },
    );
  });

  it.skipIf(target.skip)('keep every status change and response with who and when', async () => {
    const { crm, t, clock, tenantId } = await setUp(target);
    const agent = await t.members.create({ name: 'Agent Smith' });
    const as = crm.tenant(tenantId, { actorId: agent.id });
    const ada = await t.contacts.create({ firstName: 'Ada' });
    const c = await as.cases.create({ subject: 'History', contactId: ada.id });
    clock.advance(5 * minute);
    const reply = await as.cases.respond(c.id, { body: 'Looking into it' });
    expect(reply.first).toBe(true);
    expect(reply.record).toMatchObject({ status: 'open', firstResponseAt: clock.now().toISOString(), firstResponseMinutes: 5 });
    expect(reply.interaction).toMatchObject({ direction: 'outbound', caseId: c.id, contactIds: [ada.id], memberIds: [agent.id], type: 'email' });
    clock.advance(minute);
    await as.cases.setStatus(c.id, 'pending');
    clock.advance(minute);
    await t.cases.addCustomerMessage(c.id, { body: 'Here is the photo' });
    clock.advance(minute);
    await as.cases.respond(c.id, { body: 'internal: check stock', public: false });
    await as.cases.assign(c.id, { ownerId: agent.id });
    await as.cases.setStatus(c.id, 'resolved');
    const history = await t.cases.history(c.id);
    expect(history.map((a) => [a.kind, a.fromStatus, a.toStatus, a.actorId])).toEqual([
      ['opened', null, 'new', agent.id],
      ['status', 'new', 'open', agent.id],
      ['response', null, null, agent.id],
      ['status', 'open', 'pending', agent.id],
      // The customer answered: the case is worked on again.
      ['status', 'pending', 'open', null],
      ['customer_message', null, null, null],
      ['assigned', null, null, agent.id],
      ['status', 'open', 'resolved', agent.id],
    ]);
    expect(history.map((a) => a.at)).toEqual([...history.map((a) => a.at)].sort());
    expect(history[2]!.interactionId).toBe(reply.interaction.id);
    const timeline = await t.timeline.forContact(ada.id);
    expect(timeline.items.map((i) => (i.kind === 'interaction' ? i.interaction.direction : i.kind))).toEqual(['internal', 'inbound', 'outbound']);
  });

  it.skipIf(target.skip)('emit the case events after commit', async () => {
    const { t } = await setUp(target);
    const heard: CrmEvent[] = [];
    t.events.on('*', (e) => void (e.type.startsWith('case.') && heard.push(e)));
    await t.slaPolicies.create({ name: 'All', targets: { normal: { firstResponseMinutes: 60, nextResponseMinutes: 60, resolutionMinutes: 600 } } });
    const c = await t.cases.create({ subject: 'Events' });
    await t.cases.respond(c.id, { body: 'Hi' });
    await t.cases.addCustomerMessage(c.id, { body: 'Thanks' });
    await t.cases.setStatus(c.id, 'resolved');
    await t.cases.reopen(c.id);
    await t.cases.setStatus(c.id, 'resolved');
    await t.cases.setStatus(c.id, 'closed');
    await t.cases.update(c.id, { subject: 'Events!' });
    expect(heard.map((e) => e.type)).toEqual([
      'case.created',
      'case.responded', 'case.statusChanged', 'case.slaChanged',
      'case.customerMessage', 'case.slaChanged',
      'case.statusChanged', 'case.resolved', 'case.slaChanged',
      'case.statusChanged', 'case.reopened', 'case.slaChanged',
      'case.statusChanged', 'case.resolved', 'case.slaChanged',
      'case.statusChanged', 'case.closed',
      'case.updated',
    ]);
    expect(heard[1]!.data).toMatchObject({ first: true });
    expect(heard[2]!.data).toMatchObject({ from: 'new', to: 'open' });
  });

  it.skipIf(target.skip)('keep each tenant to its own cases, whatever the tenants do', async () => {
    const { crm, tenantId } = await setUp(target);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 8 }), async (who) => {
        const scopes = [0, 1, 2].map((i) => crm.tenant(`${tenantId}-p${runs}-${i}`));
        runs++;
        const made: string[][] = [[], [], []];
        for (const i of who) made[i]!.push((await scopes[i]!.cases.create({ subject: `by ${i}` })).id);
        for (const i of [0, 1, 2]) {
          const items = (await scopes[i]!.cases.list({ limit: 50 })).items;
          expect(items.map((c) => c.id).sort()).toEqual([...made[i]!].sort());
          expect(items.map((c) => c.number).sort((a, b) => a - b)).toEqual(made[i]!.map((_, n) => n + 1));
          for (const j of [0, 1, 2]) for (const id of made[j]!) if (j !== i) await expect(scopes[i]!.cases.history(id)).rejects.toBeInstanceOf(NotFoundError);
        }
      }),
      { numRuns: target.name === 'sqlite' ? 15 : 5 },
    );
  });
});
