import type { StorageAdapter, StorageCapabilities } from '@crmkit/core';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { conformanceMigrations } from './models.js';
import type { ConformanceOptions, ConformanceTarget } from './options.js';

/** The parts of the suite, in the order {@link runAdapterConformance} runs them; each is a name for `skip`. */
export const conformanceParts = [
  'crud',
  'where',
  'subQueries',
  'subQueryHaving',
  'largeFilters',
  'jsonPaths',
  'orderingAndKeyset',
  'aggregate',
  'percentile',
  'zonedBuckets',
  'derivedValues',
  'groupStages',
  'jsonGroupKeys',
  'transactions',
  'versionGuard',
  'tenantIsolation',
  'createMany',
  'values',
  'rejectedValues',
  'claimDue',
  'log',
  'migrations',
  'validation',
  'executeSql',
] as const;

/** One of {@link conformanceParts}. */
export type ConformancePart = (typeof conformanceParts)[number];

/** What a part's tests see: the adapter, its capabilities and raw access, once `beforeAll` has run. */
export interface ConformanceContext {
  /** The options the suite was started with. */
  readonly options: ConformanceOptions;
  /** The target made by `createAdapter`. */
  readonly target: ConformanceTarget;
  /** Shorthand for `target.adapter`. */
  readonly adapter: StorageAdapter;
  /** `adapter.capabilities` with the overrides of {@link ConformanceOptions.capabilities}. */
  readonly capabilities: StorageCapabilities;
  /** Shorthand for `target.raw.query`. */
  raw(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** Options of one conformance test. */
export interface TestOptions {
  /** Runs the test only when the adapter's capabilities (or optional methods) allow it; skipped otherwise. */
  requires?: (capabilities: StorageCapabilities, adapter: StorageAdapter) => boolean;
  /** Timeout in milliseconds. @default the runner's */
  timeout?: number;
}

/** Declares one test of a part, honouring {@link ConformanceOptions.skip}. */
export type ConformanceTest = (title: string, fn: () => Promise<void>, options?: TestOptions) => void;

/**
 * Declares one part: a describe block with its own adapter (created, migrated and
 * closed around it) and a `test` function that honours the skip list.
 */
export function describePart(
  part: ConformancePart,
  options: ConformanceOptions,
  body: (ctx: ConformanceContext, test: ConformanceTest) => void,
): void {
  const skip = new Set(options.skip ?? []);
  let current: ConformanceTarget | undefined;
  const target = (): ConformanceTarget => {
    if (current === undefined) throw new Error('The conformance target is only available inside tests');
    return current;
  };
  const ctx: ConformanceContext = {
    options,
    get target() {
      return target();
    },
    get adapter() {
      return target().adapter;
    },
    get capabilities() {
      return { ...target().adapter.capabilities, ...options.capabilities };
    },
    raw: (sql, params) => target().raw.query(sql, params),
  };
  const test: ConformanceTest = (title, fn, testOptions = {}) => {
    if (skip.has(title)) {
      it.skip(title, fn);
      return;
    }
    it(
      title,
      async (testContext) => {
        if (testOptions.requires && !testOptions.requires(ctx.capabilities, ctx.adapter)) testContext.skip('not supported by the adapter');
        await fn();
      },
      testOptions.timeout,
    );
  };
  const block = skip.has(part) ? describe.skip : describe;
  block(`${options.name}: ${part}`, () => {
    beforeAll(async () => {
      current = await options.createAdapter();
      await current.adapter.migrate(conformanceMigrations);
    });
    afterEach(async () => {
      if (current && options.reset) await options.reset(current);
    });
    afterAll(async () => {
      const closing = current;
      current = undefined;
      if (closing?.close) await closing.close();
      else if (closing) await closing.adapter.close();
    });
    body(ctx, test);
  });
}
