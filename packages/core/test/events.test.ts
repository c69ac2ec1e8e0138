import type { CrmEvent } from '@crmkit/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm({ onListenerError: vi.fn() });
});
afterEach(() => env.crm.close());

describe('events', () => {
  it('emits after commit to listeners of the same tenant only, and records them in the outbox', async () => {
    const acme = env.crm.tenant('acme');
    const heard: CrmEvent[] = [];
    const otherHeard: CrmEvent[] = [];
    acme.events.on('contact.created', (e) => heard.push(e));
    env.crm.tenant('other').events.on('*', (e) => otherHeard.push(e));
    const c = await acme.contacts.create({ firstName: 'Ada' });
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ type: 'contact.created', tenantId: 'acme', data: { record: { id: c.id } } });
    expect(otherHeard).toEqual([]);
    const outbox = env.adapter.database.prepare('select type, tenant_id from crm_event').all();
    expect(outbox).toEqual([{ type: 'contact.created', tenant_id: 'acme' }]);
  });

  it('emits nothing and records nothing when the write rolls back', async () => {
    const t = env.crm.tenant('acme');
    const heard: CrmEvent[] = [];
    t.events.on('*', (e) => heard.push(e));
    await expect(t.contacts.createMany([{ firstName: 'ok' }, { firstName: 'dup', externalId: 'x' }, { firstName: 'dup2', externalId: 'x' }])).rejects.toMatchObject({ code: 'DUPLICATE' });
    expect(heard).toEqual([]);
    expect(env.adapter.database.prepare('select count(*) n from crm_event').get()).toEqual({ n: 0 });
    expect(env.adapter.database.prepare('select count(*) n from crm_contact').get()).toEqual({ n: 0 });
  });

  it('reports a throwing listener without failing the write or starving other listeners', async () => {
    const t = env.crm.tenant('acme');
    const second = vi.fn();
    t.events.on('contact.created', () => {
      throw new Error('boom');
    });
    t.events.on('contact.created', second);
    await expect(t.contacts.create({ firstName: 'Ada' })).resolves.toBeDefined();
    expect(second).toHaveBeenCalledOnce();
  });

  it('reports an async listener that rejects, without an unhandled rejection or a failed write', async () => {
    const onListenerError = vi.fn();
    const local = await testCrm({ onListenerError });
    const t = local.crm.tenant('acme');
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      t.events.on('contact.created', async () => {
        await Promise.resolve();
        throw new Error('async boom');
      });
      local.crm.onAnyEvent(async () => Promise.reject(new Error('any boom')));
      await expect(t.contacts.create({ firstName: 'Ada' })).resolves.toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(onListenerError).toHaveBeenCalledTimes(2);
      expect(onListenerError.mock.calls.map(([error]) => (error as Error).message).sort()).toEqual(['any boom', 'async boom']);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
      await local.crm.close();
    }
  });

  it('never rejects a committed write when onListenerError itself throws or rejects', async () => {
    for (const onListenerError of [() => { throw new Error('reporter broke'); }, async () => { throw new Error('reporter rejected'); }]) {
      const local = await testCrm({ onListenerError });
      const t = local.crm.tenant('acme');
      t.events.on('contact.created', () => {
        throw new Error('listener broke');
      });
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const contact = await t.contacts.create({ firstName: 'Ada' });
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await t.contacts.get(contact.id)).toMatchObject({ firstName: 'Ada' });
        expect(errors).toHaveBeenCalled();
      } finally {
        errors.mockRestore();
        await local.crm.close();
      }
    }
  });

  it('stops listening when unsubscribed', async () => {
    const t = env.crm.tenant('acme');
    const listener = vi.fn();
    const off = t.events.on('contact.created', listener);
    off();
    await t.contacts.create({ firstName: 'Ada' });
    expect(listener).not.toHaveBeenCalled();
  });
});
