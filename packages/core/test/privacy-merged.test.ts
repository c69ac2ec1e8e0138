import { NotFoundError } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

describe.each(targets)('privacy requests with a merged id ($name)', (target) => {
  let env: CrmOnTarget;
  let tenants = 0;
  beforeAll(async () => {
    if (!target.skip) env = await target.open();
  });
  afterAll(() => env?.crm.close());
  const tenant = () => env.crm.tenant(`priv-merged-${process.pid}-${++tenants}`);
  const run = it.skipIf(target.skip);

  /** Ada twice, the second merged into the first; then the first merged into a third, so that the id kept is two merges old. */
  async function mergedPerson(t: ReturnType<typeof tenant>) {
    const survivor = await t.contacts.create({ firstName: 'Ada', email: 'ada@acme.io' });
    const middle = await t.contacts.create({ firstName: 'Ada', email: 'ada.l@acme.io' });
    const merged = await t.contacts.create({ firstName: 'Ada', email: 'ada@old.io', consent: { email: 'granted' } });
    const call = await t.interactions.log({ type: 'call', subject: 'Called Ada', contactIds: [merged.id] });
    await t.duplicates.merge({ entity: 'contact', survivorId: middle.id, mergedIds: [merged.id] });
    await t.duplicates.merge({ entity: 'contact', survivorId: survivor.id, mergedIds: [middle.id] });
    return { survivor, merged, call };
  }

  run('exports the survivor for the id of a contact merged into it', async () => {
    const t = tenant();
    const { survivor, merged, call } = await mergedPerson(t);
    const doc = await t.privacy.export(merged.id);
    expect(doc.contact).toMatchObject({ id: survivor.id, email: 'ada@acme.io' });
    // What the merge moved to the survivor is in it.
    expect(doc.interactions.map((i) => i.id)).toContain(call.id);
    expect(doc).toEqual(await t.privacy.export(survivor.id));
  });

  run('erases the survivor for the id of a contact merged into it', async () => {
    const t = tenant();
    const { survivor, merged } = await mergedPerson(t);
    const erasure = await t.privacy.erase(merged.id, { reason: 'GDPR art. 17' });
    expect(erasure.contactId).toBe(survivor.id);
    expect(await t.contacts.get(survivor.id)).toMatchObject({ firstName: null, email: null, erasedAt: erasure.erasedAt });
  });

  run('reads the survivor\'s consent history for the id of a contact merged into it', async () => {
    const t = tenant();
    const { survivor, merged } = await mergedPerson(t);
    const history = await t.privacy.consentHistory(merged.id);
    // The merged contact's grant moved with the merge.
    expect(history.some((c) => c.contactId === survivor.id && c.to === 'granted')).toBe(true);
    expect(history).toEqual(await t.privacy.consentHistory(survivor.id));
  });

  run('still reports an id that was never a contact', async () => {
    const t = tenant();
    const unknown = '01J00000000000000000000000';
    await expect(t.privacy.export(unknown)).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.privacy.erase(unknown)).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.privacy.consentHistory(unknown)).rejects.toBeInstanceOf(NotFoundError);
  });
});
