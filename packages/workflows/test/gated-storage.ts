import type { Storage, StorageAdapter } from '@crmkit/core';

/** Which calls a gate stops at: the method name and its first argument. */
export type CallMatch = (method: string, args: Record<string, unknown>) => boolean;

/**
 * A storage adapter whose calls can be held back, to freeze one worker at a
 * chosen point (a process stalled by GC or a slow network) while others go
 * on. `closeAt(match)` closes the gate when a matching call arrives: that call
 * and every later one wait until `open()`. Calls made on a transaction handle
 * pass through when `outside` is set, so a frozen worker holds no database
 * lock (SQLite's single writer would otherwise freeze everyone).
 */
export function gatedAdapter(adapter: StorageAdapter, options: { outside?: boolean } = {}) {
  let closed: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let armed: { match: CallMatch; reached: () => void } | undefined;

  const wait = async (method: string, args: unknown[]): Promise<void> => {
    if (armed && armed.match(method, (args[0] ?? {}) as Record<string, unknown>)) {
      const { reached } = armed;
      armed = undefined;
      closed = new Promise<void>((resolve) => (release = resolve));
      reached();
    }
    while (closed) await closed;
  };

  const wrap = <S extends Storage>(storage: S, top: boolean): S =>
    new Proxy(storage, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || prop === 'constructor' || prop === 'compileMigrations') return value;
        return async (...args: unknown[]) => {
          if (top || !options.outside) await wait(String(prop), args);
          if (prop === 'transaction') {
            const fn = args[0] as (tx: Storage) => Promise<unknown>;
            return target.transaction((tx) => fn(wrap(tx, false)));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });

  return {
    adapter: wrap(adapter, true),
    /** Closes the gate at the next call `match` accepts; resolves once that call arrived (and waits). */
    closeAt(match: CallMatch): Promise<void> {
      return new Promise<void>((resolve) => (armed = { match, reached: resolve }));
    },
    /** Lets every held call go on. */
    open(): void {
      const done = release;
      closed = undefined;
      release = undefined;
      done?.();
    },
  };
}
