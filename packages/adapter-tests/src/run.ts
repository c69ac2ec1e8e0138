import { describeAggregate } from './parts/aggregate.js';
import { describeClaimDue } from './parts/claim-due.js';
import { describeCreateMany } from './parts/create-many.js';
import { describeCrud } from './parts/crud.js';
import { describeDerivedValues } from './parts/derived-values.js';
import { describeExecuteSql } from './parts/execute-sql.js';
import { describeGroupStages } from './parts/group-stages.js';
import { describeJsonGroupKeys } from './parts/json-group-keys.js';
import { describeJsonPaths } from './parts/json-paths.js';
import { describeLargeFilters } from './parts/large-filters.js';
import { describeLog } from './parts/log.js';
import { describeMigrations } from './parts/migrations.js';
import { describeOrderingAndKeyset } from './parts/ordering.js';
import { describePercentile } from './parts/percentile.js';
import { describeRejectedValues } from './parts/rejected-values.js';
import { describeSubQueries } from './parts/sub-queries.js';
import { describeSubQueryHaving } from './parts/sub-query-having.js';
import { describeTenantIsolation } from './parts/tenant-isolation.js';
import { describeTransactions } from './parts/transactions.js';
import { describeValidation } from './parts/validation.js';
import { describeValues } from './parts/values.js';
import { describeVersionGuard } from './parts/version-guard.js';
import { describeWhere } from './parts/where.js';
import { describeZonedBuckets } from './parts/zoned-buckets.js';
import type { ConformancePart } from './context.js';
import type { ConformanceOptions } from './options.js';

/** Every part by its name in {@link conformanceParts}. */
export const conformanceSuite: Readonly<Record<ConformancePart, (options: ConformanceOptions) => void>> = {
  crud: describeCrud,
  where: describeWhere,
  subQueries: describeSubQueries,
  subQueryHaving: describeSubQueryHaving,
  largeFilters: describeLargeFilters,
  jsonPaths: describeJsonPaths,
  orderingAndKeyset: describeOrderingAndKeyset,
  aggregate: describeAggregate,
  percentile: describePercentile,
  zonedBuckets: describeZonedBuckets,
  derivedValues: describeDerivedValues,
  groupStages: describeGroupStages,
  jsonGroupKeys: describeJsonGroupKeys,
  transactions: describeTransactions,
  versionGuard: describeVersionGuard,
  tenantIsolation: describeTenantIsolation,
  createMany: describeCreateMany,
  values: describeValues,
  rejectedValues: describeRejectedValues,
  claimDue: describeClaimDue,
  log: describeLog,
  migrations: describeMigrations,
  validation: describeValidation,
  executeSql: describeExecuteSql,
};

/**
 * Declares the whole storage-contract conformance suite for one adapter: one
 * vitest `describe` block per part, each with a fresh adapter. Call it at the
 * top level of a test file.
 *
 * @example
 * import { runAdapterConformance } from '@crmkit/adapter-tests';
 * import { sqliteAdapter } from '@crmkit/adapter-sqlite';
 *
 * runAdapterConformance({
 *   name: 'sqlite (memory)',
 *   async createAdapter() {
 *     const adapter = sqliteAdapter({ filename: ':memory:' });
 *     return { adapter, raw: { query: async (sql, params = []) => adapter.database.prepare(sql).all(...params) } };
 *   },
 * });
 */
export function runAdapterConformance(options: ConformanceOptions): void {
  for (const describePart of Object.values(conformanceSuite)) describePart(options);
}
