import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { crmTargets } from './targets.js';

const targets = crmTargets();
let runs = 0;

/** What a listener does with the event it hears. */
const behaviour = fc.constantFrom('ok', 'throw', 'async-ok', 'async-reject', 'async-throw-later');
/** What onListenerError does with the failure it is told about. */
const reporter = fc.constantFrom('ok', 'throw', 'reject');

function listenerOf(kind: string): () => unknown {
  switch (kind) {
    case 'throw': return () => { throw new Error('sync'); };
    case 'async-ok': return async () => undefined;
    case 'async-reject': return () => Promise.reject(new Error('rejected'));
    case 'async-throw-later': return async () => { await new Promise((resolve) => setTimeout(resolve, 1)); throw new Error('later'); };
    default: return () => undefined;
  }
}

describe.each(targets)('event listeners can never fail a write ($name)', (target) => {
  it.skipIf(target.skip)('whatever mix of sync, async, throwing and rejecting listeners and reporters runs, every write resolves and is committed', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(behaviour, { minLength: 1, maxLength: 5 }), reporter, fc.integer({ min: 1, max: 3 }), async (kinds, report, writes) => {
          const onListenerError = report === 'throw' ? () => { throw new Error('reporter'); } : report === 'reject' ? async () => { throw new Error('reporter'); } : () => undefined;
          const { crm } = await target.open({ onListenerError });
          try {
            const t = crm.tenant(`listeners-${process.pid}-${++runs}`);
            for (const kind of kinds) t.events.on('*', listenerOf(kind));
            crm.onAnyEvent(listenerOf(kinds[0]!));
            const ids: string[] = [];
            for (let i = 0; i < writes; i++) ids.push((await t.contacts.create({ firstName: `C${i}` })).id);
            await t.contacts.update(ids[0]!, { title: 'CTO' });
            await new Promise((resolve) => setTimeout(resolve, 5));
            expect((await t.contacts.list()).items.map((c) => c.id).sort()).toEqual([...ids].sort());
          } finally {
            await crm.close();
          }
        }),
        { numRuns: target.name === 'sqlite' ? 30 : 8 },
      );
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      process.off('unhandledRejection', unhandled);
    }
  }, 60_000);
});
