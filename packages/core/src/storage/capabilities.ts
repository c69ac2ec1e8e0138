/**
 * What an adapter's database can do. Core and the conformance suite read this
 * instead of asking which database they are on, so a third-party adapter for a
 * database crmkit has never heard of gets the right behaviour.
 */
export interface StorageCapabilities {
  /** The adapter's name, for messages (`sqlite`, `postgres`). */
  readonly name: string;
  /** JSON values can be filtered on by path (`custom.tier`). */
  readonly jsonPaths: boolean;
  /** `INSERT/UPDATE ... RETURNING` is available (fewer round trips). */
  readonly returning: boolean;
  /** `FOR UPDATE SKIP LOCKED` is available, so many workers can claim due rows without waiting on each other. */
  readonly skipLocked: boolean;
  /** Several connections can run at once (false for an embedded, single-writer database). */
  readonly multipleConnections: boolean;
  /** DDL can run inside a transaction, so a failed migration leaves nothing behind. */
  readonly transactionalDdl: boolean;
  /** The most bind parameters one statement may carry; `createMany` batches below it. */
  readonly maxParameters: number;
}
