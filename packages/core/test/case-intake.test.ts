import { createCrm, type IntakeCase, NotFoundError, type Storage, type StorageAdapter, type TenantScope, unthreadedChannels, ValidationError } from '@crmkit/core';
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

type Turns = 'in turn' | 'together';

/**
 * An adapter that opens the window two intakes of one new sender race in.
 * Armed for n transactions, each, after its first contact lookup, waits until
 * all n have looked (so none saw a contact another creates), then goes on:
 * `together`, or `in turn`, each once the one before it has ended. Only with
 * several connections: on SQLite a transaction owns the database, and the
 * intakes run one after the other anyway.
 */
function racingIntakes(adapter: StorageAdapter) {
  let expected = 0;
  let turns: Turns = 'together';
  let ended: Promise<void>[] = [];
  let allLooked = Promise.resolve();
  let everyoneLooked = () => {};
  const arm = (racers: number, how: Turns) => {
    if (!adapter.capabilities.multipleConnections) return;
    [expected, turns, ended] = [racers, how, []];
    allLooked = new Promise((resolve) => { everyoneLooked = resolve; });
  };
  const pass = <S extends object>(target: S, prop: string | symbol): unknown => {
    const value = Reflect.get(target, prop) as unknown;
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const inTransaction = (tx: Storage, end: Promise<void>): Storage => {
    let looked = false;
    return new Proxy(tx, {
      get: (target, prop) => prop !== 'findMany' ? pass(target, prop) : async (args: Parameters<Storage['findMany']>[0]) => {
        const rows = await target.findMany(args);
        if (!looked && args.model.name === 'contact' && ended.length < expected) {
          looked = true;
          const previous = ended.at(-1);
          ended.push(end);
          if (ended.length === expected) everyoneLooked();
          await allLooked;
          if (turns === 'in turn' && previous) await previous;
        }
        return rows;
      },
    });
  };
  const racing = new Proxy(adapter, {
    get: (target, prop) => prop !== 'transaction' ? pass(target, prop) : <T>(fn: (tx: Storage) => Promise<T>): Promise<T> => {
      let done = () => {};
      const end = new Promise<void>((resolve) => { done = resolve; });
      return target.transaction((tx) => fn(inTransaction(tx, end))).finally(done);
    },
  });
  return { adapter: racing, arm };
}

async function setUp(target: (typeof targets)[number]): Promise<CrmOnTarget & { t: TenantScope }> {
  open = await target.open({ defaultCountry: 'DE' });
  return { ...open, t: open.crm.tenant(`intake-${process.pid}-${++runs}`) };
}

describe.each(targets)('multi-channel intake ($name)', (target) => {
  it.skipIf(target.skip)('opens a case for a new sender, with the message on the case and the new contact timeline', async () => {
    const { t } = await setUp(target);
    const result = await t.cases.ingest({ channel: 'email', from: 'Grace@Example.COM', name: 'Grace', subject: 'Printer jams', body: 'It jams.', messageId: '<m1@example.com>' });
    expect(result).toMatchObject({ opened: true, duplicate: false, contact: { email: 'grace@example.com', firstName: 'Grace' } });
    expect(result.record).toMatchObject({ subject: 'Printer jams', description: 'It jams.', channel: 'email', contactId: result.contact.id, number: 1, status: 'new' });
    expect(result.interaction).toMatchObject({ direction: 'inbound', type: 'email', caseId: result.record.id, messageId: '<m1@example.com>', contactIds: [result.contact.id] });
    const timeline = await t.timeline.forContact(result.contact.id);
    expect(timeline.items.map((i) => (i.kind === 'interaction' ? i.interaction.id : null))).toEqual([result.interaction.id]);
    expect((await t.cases.history(result.record.id)).map((a) => [a.kind, a.interactionId])).toEqual([['opened', null], ['customer_message', result.interaction.id]]);
  });

  it.skipIf(target.skip)('finds the contact by normalised email and phone', async () => {
    const { t } = await setUp(target);
    const ada = await t.contacts.create({ firstName: 'Ada', email: 'ada@example.com' });
    const bob = await t.contacts.create({ firstName: 'Bob', phone: '+49 30 1234567' });
    expect((await t.cases.ingest({ channel: 'email', from: '  ADA@example.com ', body: 'hi' })).contact.id).toBe(ada.id);
    const sms = await t.cases.ingest({ channel: 'sms', from: '030 1234567', body: 'Call me back' });
    expect(sms.contact.id).toBe(bob.id);
    expect(sms.record).toMatchObject({ subject: 'Call me back', channel: 'sms' });
    expect(sms.interaction.type).toBe('sms');
    expect((await t.contacts.list()).items).toHaveLength(2);
    await expect(t.cases.ingest({ channel: 'chat', from: 'not a sender', body: 'x' })).rejects.toBeInstanceOf(ValidationError);
  });

  it.skipIf(target.skip)('threads replies onto the case by in-reply-to and by a case reference in the subject', async () => {
    const { t, clock } = await setUp(target);
    await t.slaPolicies.create({ name: 'Mail', targets: { normal: { firstResponseMinutes: 60, nextResponseMinutes: 60 } } });
    const first = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: 'Hinge broken', body: 'Help', messageId: '<a1@x>' });
    clock.advance(10 * minute);
    // The agent's reply goes out with its own message id; the customer answers it.
    const reply = await t.cases.respond(first.record.id, { body: 'Send a photo', messageId: '<agent1@desk>' });
    expect(reply.record.firstResponseMinutes).toBe(10);
    await t.cases.setStatus(first.record.id, 'pending');
    clock.advance(10 * minute);
    const answer = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: 'Re: Hinge broken', body: 'photo.jpg', messageId: '<a2@x>', inReplyTo: '<agent1@desk>' });
    expect(answer).toMatchObject({ opened: false, record: { id: first.record.id, status: 'open', awaitingSince: clock.now().toISOString() } });
    expect(answer.record.nextResponseDueAt).toBe(new Date(clock.now().getTime() + 60 * minute).toISOString());
    const byNumber = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: `Still broken [#${first.record.number}]`, body: 'and?', messageId: '<a3@x>' });
    expect(byNumber).toMatchObject({ opened: false, record: { id: first.record.id } });
    const plain = await t.cases.ingest({ channel: 'chat', from: 'ada@example.com', subject: `Question about #${first.record.number}`, body: 'in chat' });
    expect(plain.record.id).toBe(first.record.id);
    expect((await t.cases.list()).items).toHaveLength(1);
  });

  it.skipIf(target.skip)('opens a new case for a reference to someone else case, to a closed case, or to nothing', async () => {
    const { t } = await setUp(target);
    const ada = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: 'Mine', messageId: '<a1@x>' });
    const eve = await t.cases.ingest({ channel: 'email', from: 'eve@example.com', subject: `Re: [#${ada.record.number}]`, body: 'let me in' });
    expect(eve.opened).toBe(true);
    expect(eve.record.id).not.toBe(ada.record.id);
    await t.cases.setStatus(ada.record.id, 'resolved');
    await t.cases.setStatus(ada.record.id, 'closed');
    const late = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: `Re: [#${ada.record.number}] Mine`, inReplyTo: '<a1@x>' });
    expect(late.opened).toBe(true);
    expect(late.record.number).toBe(3);
    const unknown = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: 'Re: something', inReplyTo: '<never-seen@x>' });
    expect(unknown.opened).toBe(true);
  });

  it.skipIf(target.skip)('reopens a resolved case when its customer writes again', async () => {
    const { t } = await setUp(target);
    const first = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: 'Fixed?', messageId: '<a1@x>' });
    await t.cases.respond(first.record.id, { body: 'Fixed', messageId: '<r1@desk>' });
    await t.cases.setStatus(first.record.id, 'resolved');
    const again = await t.cases.ingest({ channel: 'email', from: 'ada@example.com', subject: 'Re: Fixed?', inReplyTo: '<r1@desk>', messageId: '<a2@x>' });
    expect(again.record).toMatchObject({ id: first.record.id, status: 'open', reopenCount: 1 });
  });

  it.skipIf(target.skip)('threads SMS, chat and social messages onto the sender\'s latest case on the channel that is not resolved', async () => {
    const { t, clock } = await setUp(target);
    expect(unthreadedChannels).toEqual(['sms', 'chat', 'social']);
    const first = await t.cases.ingest({ channel: 'sms', from: '+49 151 2345678', body: 'No recordings' });
    await t.cases.respond(first.record.id, { body: 'Restart it and reply', channel: 'sms' });
    await t.cases.setStatus(first.record.id, 'pending');
    clock.advance(10 * minute);
    // No In-Reply-To, no subject: an SMS reply carries nothing but its sender.
    const reply = await t.cases.ingest({ channel: 'sms', from: '0151 2345678', body: 'Restarted, still nothing' });
    expect(reply).toMatchObject({ opened: false, record: { id: first.record.id, status: 'open' } });
    // Another channel, another sender, or a channel with threading of its own: a new case.
    expect((await t.cases.ingest({ channel: 'chat', from: '+49 151 2345678', body: 'Hello?' })).opened).toBe(true);
    expect((await t.cases.ingest({ channel: 'sms', from: '+49 151 9999999', body: 'Mine too' })).opened).toBe(true);
    expect((await t.cases.ingest({ channel: 'email', from: 'ada@example.com', body: 'By mail' })).opened).toBe(true);
    expect((await t.cases.ingest({ channel: 'email', from: 'ada@example.com', body: 'By mail again' })).opened).toBe(true);
    const chat = await t.cases.ingest({ channel: 'chat', from: '+49 151 2345678', body: 'Still there?' });
    expect(chat).toMatchObject({ opened: false, record: { channel: 'chat' } });
    expect(chat.record.id).not.toBe(first.record.id);
    // The most recent open case of the sender on the channel takes the message.
    clock.advance(minute);
    const later = await t.cases.create({ subject: 'Second conversation', contactId: first.contact.id, channel: 'sms' });
    expect((await t.cases.ingest({ channel: 'sms', from: '+491512345678', body: 'About the second one' })).record.id).toBe(later.id);
    // A resolved conversation is over: the next message is a new request, and the old case stays resolved.
    await t.cases.setStatus(later.id, 'resolved');
    await t.cases.setStatus(first.record.id, 'resolved');
    const after = await t.cases.ingest({ channel: 'sms', from: '+491512345678', body: 'New problem' });
    expect(after.opened).toBe(true);
    expect((await t.cases.get(first.record.id)).status).toBe('resolved');
    expect((await t.cases.list()).items).toHaveLength(7);
  });

  it.skipIf(target.skip)('opens the case with the type, priority, asset, contract, team, owner and tags given, under the policy they match', async () => {
    const { t } = await setUp(target);
    const team = await t.teams.create({ name: 'Tier 1' });
    const agent = await t.members.create({ name: 'Ana' });
    const lea = await t.contacts.create({ firstName: 'Lea', email: 'lea@example.com' });
    const hub = await t.products.create({ name: 'Hub', warrantyMonths: 24 });
    const asset = await t.assets.create({ productId: hub.id, serialNumber: 'H-1', contactId: lea.id, purchasedAt: '2026-01-10' });
    const contract = await t.contracts.create({ name: 'Care', kind: 'maintenance', contactId: lea.id, startDate: '2026-01-01', endDate: '2026-12-31', status: 'active' });
    await t.slaPolicies.create({ name: 'Default', targets: { normal: { firstResponseMinutes: 240 } } });
    await t.slaPolicies.reorder([(await t.slaPolicies.create({
      name: 'Warranty VIP', conditions: { type: ['warranty_claim'], priority: ['high'], teamId: [team.id], tags: ['vip'] }, targets: { high: { firstResponseMinutes: 30 } },
    })).id, ...(await t.slaPolicies.list()).items.filter((p) => p.name === 'Default').map((p) => p.id)]);
    const fields = { type: 'warranty_claim', priority: 'high', assetId: asset.id, contractId: contract.id, teamId: team.id, ownerId: agent.id, tags: ['vip'] } satisfies IntakeCase;
    const claim = await t.cases.ingest({ channel: 'email', from: 'lea@example.com', subject: 'Hub dead', messageId: '<l1@x>', case: fields });
    expect(claim.record).toMatchObject({ ...fields, channel: 'email', contactId: lea.id, sla: { policyName: 'Warranty VIP' } });
    expect(claim.record.firstResponseDueAt).toBe(new Date(Date.parse(claim.record.openedAt) + 30 * minute).toISOString());
    // A message threaded onto the case leaves it as it is.
    const reply = await t.cases.ingest({ channel: 'email', from: 'lea@example.com', subject: 'Re: Hub dead', inReplyTo: '<l1@x>', case: { type: 'question', priority: 'low', tags: [] } });
    expect(reply).toMatchObject({ opened: false, record: { id: claim.record.id, type: 'warranty_claim', priority: 'high', tags: ['vip'] } });
    // Without `case`, the defaults of `cases.create`, and the policy they match.
    const plain = await t.cases.ingest({ channel: 'email', from: 'lea@example.com', subject: 'Another question' });
    expect(plain.record).toMatchObject({ type: 'question', priority: 'normal', assetId: null, teamId: null, ownerId: null, tags: [], sla: { policyName: 'Default' } });
  });

  it.skipIf(target.skip)('refuses a case with bad fields or unknown references, and writes nothing', async () => {
    const { t } = await setUp(target);
    const message = { channel: 'email', from: 'new@example.com', subject: 'Help' } as const;
    await expect(t.cases.ingest({ ...message, case: { type: 'nonsense' as 'question' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.cases.ingest({ ...message, case: { subject: 'x' } as never })).rejects.toBeInstanceOf(ValidationError);
    for (const ref of ['assetId', 'contractId', 'teamId', 'ownerId'] as const) {
      await expect(t.cases.ingest({ ...message, case: { [ref]: 'missing' } })).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await t.cases.list()).items).toEqual([]);
    expect((await t.contacts.list()).items).toEqual([]);
  });

  it.skipIf(target.skip)('stores a message delivered twice once, also when both deliveries race', async () => {
    const { crm, t } = await setUp(target);
    const message = { channel: 'email' as const, from: 'ada@example.com', subject: 'Once', body: 'x', messageId: '<dup@x>' };
    const first = await t.cases.ingest(message);
    const again = await t.cases.ingest(message);
    expect(again).toMatchObject({ duplicate: true, opened: false, record: { id: first.record.id }, interaction: { id: first.interaction.id }, contact: { id: first.contact.id } });
    const racing = { ...message, messageId: '<race@x>', subject: 'Race' };
    const results = await Promise.all([t.cases.ingest(racing), t.cases.ingest(racing), t.cases.ingest(racing)]);
    expect(new Set(results.map((r) => r.interaction.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await t.cases.list()).items).toHaveLength(2);
    expect((await t.interactions.list({ where: { messageId: '<race@x>' } })).items).toHaveLength(1);
    // Message ids are unique per tenant only.
    const other = await crm.tenant(`${t.tenantId}-other`).cases.ingest(message);
    expect(other).toMatchObject({ duplicate: false, opened: true });
  });

  it.skipIf(target.skip)('creates one contact for a new sender whose messages arrive at once, by email and by phone', async () => {
    const { adapter, clock, t: plain } = await setUp(target);
    const race = racingIntakes(adapter);
    const t = (await createCrm({ adapter: race.adapter, clock, defaultCountry: 'DE' })).tenant(plain.tenantId);
    // By email, the later intakes commit after the first one; by phone, all at once.
    race.arm(3, 'in turn');
    const mails = await Promise.all(['New@Example.com', ' new@example.COM', 'new@example.com'].map((from, n) => t.cases.ingest({ channel: 'email', from, body: `mail ${n}`, messageId: `<new${n}@x>` })));
    race.arm(3, 'together');
    const texts = await Promise.all(['030 7654321', '+49 30 7654321', '+49307654321'].map((from, n) => t.cases.ingest({ channel: 'sms', from, body: `text ${n}` })));
    const [byMail, byText] = [mails[0]!.contact, texts[0]!.contact];
    expect(mails.map((r) => [r.contact.id, r.record.contactId, r.interaction.contactIds])).toEqual(mails.map(() => [byMail.id, byMail.id, [byMail.id]]));
    expect(texts.map((r) => [r.contact.id, r.record.contactId, r.interaction.contactIds])).toEqual(texts.map(() => [byText.id, byText.id, [byText.id]]));
    expect((await t.contacts.list()).items.map((c) => [c.email, c.phone]).sort()).toEqual([[null, '+49307654321'], ['new@example.com', null]]);
    expect((await t.timeline.forContact(byMail.id)).items).toHaveLength(3);
    expect((await t.timeline.forContact(byText.id)).items).toHaveLength(3);
    expect((await t.cases.ingest({ channel: 'email', from: 'NEW@example.com', body: 'again' })).contact.id).toBe(byMail.id);
  });
});

