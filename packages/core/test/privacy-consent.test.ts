import { contactChannels, type Consent, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmTargets } from './targets.js';

const targets = crmTargets();
const tenant = () => `acme-${Math.random().toString(36).slice(2, 8)}`;

describe.each(targets)('consent history ($name)', (target) => {
  const run = it.skipIf(target.skip);

  run('records each consent change with its time, source and actor, in the write that made it', async () => {
    const { crm, clock } = await target.open();
    try {
      const id = tenant();
      const rep = await crm.tenant(id).members.create({ name: 'Rep' });
      const t = crm.tenant(id, { actorId: rep.id });
      const ada = await t.contacts.create({ firstName: 'Ada', consent: { email: 'granted', sms: 'granted' } }, { source: 'web-form' });
      clock.advance(60_000);
      await t.contacts.update(ada.id, { consent: { email: 'denied', sms: 'granted' } }, { source: 'unsubscribe-link' });
      clock.advance(60_000);
      // A patch that leaves consent as it is records nothing; no source means 'api'.
      await t.contacts.update(ada.id, { title: 'CTO' });
      await t.contacts.update(ada.id, { consent: { email: 'denied' } });
      expect(await t.privacy.consentHistory(ada.id)).toEqual([
        expect.objectContaining({ channel: 'email', from: null, to: 'granted', source: 'web-form', at: '2026-03-02T09:00:00.000Z', actorId: rep.id }),
        expect.objectContaining({ channel: 'sms', from: null, to: 'granted', source: 'web-form', at: '2026-03-02T09:00:00.000Z' }),
        expect.objectContaining({ channel: 'email', from: 'granted', to: 'denied', source: 'unsubscribe-link', at: '2026-03-02T09:01:00.000Z' }),
        expect.objectContaining({ channel: 'sms', from: 'granted', to: null, source: 'api', at: '2026-03-02T09:02:00.000Z' }),
      ]);
      const [bulk] = await t.contacts.createMany([{ firstName: 'Bo', consent: { post: 'denied' } }, { firstName: 'Cy' }], { source: 'import' });
      expect(await t.privacy.consentHistory(bulk!.id)).toMatchObject([{ channel: 'post', to: 'denied', source: 'import' }]);
    } finally {
      await crm.close();
    }
  });

  run('writes no consent change when the write fails, and no write when the source is invalid', async () => {
    const { crm } = await target.open();
    try {
      const t = crm.tenant(tenant());
      const ada = await t.contacts.create({ firstName: 'Ada' });
      await expect(
        t.transaction(async (tt) => {
          await tt.contacts.update(ada.id, { consent: { email: 'granted' } });
          throw new Error('host rollback');
        }),
      ).rejects.toThrow('host rollback');
      for (const source of ['', ' ', 'x'.repeat(101), 42]) {
        await expect(t.contacts.update(ada.id, { consent: { email: 'granted' } }, { source } as never)).rejects.toBeInstanceOf(ValidationError);
        await expect(t.contacts.create({ firstName: 'Bo', consent: { email: 'granted' } }, { source } as never)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(t.contacts.update(ada.id, { consent: { email: 'granted' } }, { expectedVersion: 1, sauce: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await t.privacy.consentHistory(ada.id)).toEqual([]);
      expect((await t.contacts.get(ada.id)).consent).toEqual({});
    } finally {
      await crm.close();
    }
  });

  run('keeps a history that replays to the consent the contact holds, whatever the changes', async () => {
    const { crm } = await target.open();
    try {
      const t = crm.tenant(tenant());
      const value = fc.constantFrom<'granted' | 'denied' | undefined>('granted', 'denied', undefined);
      const consent = fc.record(Object.fromEntries(contactChannels.map((c) => [c, value])) as Record<(typeof contactChannels)[number], fc.Arbitrary<'granted' | 'denied' | undefined>>);
      const clean = (c: Record<string, string | undefined>): Consent => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Consent;
      await fc.assert(
        fc.asyncProperty(consent, fc.array(consent, { maxLength: 4 }), async (first, later) => {
          const contact = await t.contacts.create({ firstName: 'P', consent: clean(first) });
          for (const next of later) await t.contacts.update(contact.id, { consent: clean(next) });
          const replayed: Record<string, string> = {};
          for (const change of await t.privacy.consentHistory(contact.id)) {
            expect(change.from).toBe(replayed[change.channel] ?? null);
            expect(change.to).not.toBe(change.from);
            if (change.to === null) delete replayed[change.channel];
            else replayed[change.channel] = change.to;
          }
          expect(replayed).toEqual((await t.contacts.get(contact.id)).consent);
        }),
        { numRuns: 15 },
      );
    } finally {
      await crm.close();
    }
  });
});
