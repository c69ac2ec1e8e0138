import type { StorageAdapter, StorageCapabilities } from '@crmkit/core';

/**
 * Raw access to the adapter's database, used only to prove that a write really
 * happened (or really did not): the suite never trusts the adapter to report on itself.
 */
export interface RawAccess {
  /**
   * Runs one SQL statement with `?` placeholders and returns its rows; the harness
   * translates placeholders for its driver (`$1`... for Postgres).
   */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** One adapter under test, as made by {@link ConformanceOptions.createAdapter}. */
export interface ConformanceTarget {
  /** The adapter under test. */
  adapter: StorageAdapter;
  /** Raw access to the same database; see {@link RawAccess}. */
  raw: RawAccess;
  /** Called in `afterAll`; closes the adapter and whatever the harness opened. */
  close?(): Promise<void>;
}

/** Options of {@link runAdapterConformance} and of every `describe*` part. */
export interface ConformanceOptions {
  /** Label for the describe blocks, e.g. `sqlite (memory)`. */
  name: string;
  /**
   * Creates a fresh adapter. Called once per part, in `beforeAll`; the suite then
   * applies its own migrations with `adapter.migrate()`.
   */
  createAdapter(): Promise<ConformanceTarget>;
  /**
   * Cleanup after every test. Tests use fresh random tenant ids and never depend on
   * each other's data, so this is usually not needed.
   * @default none
   */
  reset?(target: ConformanceTarget): Promise<void>;
  /**
   * Overrides of `adapter.capabilities` the suite should assume.
   * @default {}
   */
  capabilities?: Partial<StorageCapabilities>;
  /**
   * Parts (see {@link conformanceParts}) or exact test titles to skip, e.g.
   * `['claimDue', 'stores a bigint up to 2^63 - 1 and reads it back as a bigint']`.
   * @default []
   */
  skip?: readonly string[];
}
