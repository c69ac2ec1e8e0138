/**
 * The limits of the storage contract. Every adapter enforces them the same way,
 * before any SQL runs, with a {@link ValidationError} naming the offending
 * input, so that an input too large for one database is refused on all of them
 * instead of failing differently (or succeeding) depending on the adapter.
 * `docs/limits.md` explains each one.
 */
export const storageLimits = Object.freeze({
  /**
   * Most conditions in one where-tree: every operator of a field filter, every
   * `and` / `or` / `not` and every `inQuery` counts one, including those of
   * sub-queries and aggregate filters. Values of an `in` / `notIn` list do not
   * count: a list is one condition. 10,000 conditions bind at most about 20,000
   * parameters, below SQLite's 32,766 and Postgres' 65,535.
   */
  maxWhereConditions: 10_000,
  /** Deepest nesting of `and` / `or` / `not` and sub-queries in one where-tree. */
  maxWhereDepth: 32,
  /**
   * Most values in one `in` / `notIn` list. Adapters bind a list as one
   * parameter where the database allows it (a Postgres array, SQLite
   * `json_each`); the bound stops a list from growing past what a driver can
   * send in one message (Postgres refuses messages over 1 GB).
   */
  maxListValues: 1_000_000,
  /** Deepest nesting of arrays and objects inside a `json` field value. */
  maxJsonDepth: 100,
});
