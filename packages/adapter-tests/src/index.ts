export { runAdapterConformance, conformanceSuite } from './run.js';
export {
  conformanceParts,
  describePart,
  type ConformancePart,
  type ConformanceContext,
  type ConformanceTest,
  type TestOptions,
} from './context.js';
export type { ConformanceOptions, ConformanceTarget, RawAccess } from './options.js';
export { conformanceItem, conformanceJob, conformanceEntry, conformanceMigrations } from './models.js';
export { matchesWhere, compareRows, expectedPage, cursorOf, valueAt, compareValues, percentileCont, aggregateValue, matchesHaving, type RowsOf } from './reference.js';
export { describeCrud } from './parts/crud.js';
export { describeWhere } from './parts/where.js';
export { describeSubQueries } from './parts/sub-queries.js';
export { describeSubQueryHaving } from './parts/sub-query-having.js';
export { describeLargeFilters } from './parts/large-filters.js';
export { describeJsonPaths } from './parts/json-paths.js';
export { describeOrderingAndKeyset } from './parts/ordering.js';
export { describeAggregate } from './parts/aggregate.js';
export { describePercentile } from './parts/percentile.js';
export { describeZonedBuckets, referenceBucket } from './parts/zoned-buckets.js';
export { describeDerivedValues, deriveRows } from './parts/derived-values.js';
export { describeGroupStages, scoreGroups } from './parts/group-stages.js';
export { describeJsonGroupKeys } from './parts/json-group-keys.js';
export { describeTransactions } from './parts/transactions.js';
export { describeVersionGuard } from './parts/version-guard.js';
export { describeTenantIsolation } from './parts/tenant-isolation.js';
export { describeCreateMany } from './parts/create-many.js';
export { describeValues } from './parts/values.js';
export { describeRejectedValues } from './parts/rejected-values.js';
export { describeClaimDue } from './parts/claim-due.js';
export { describeLog } from './parts/log.js';
export { describeMigrations } from './parts/migrations.js';
export { describeValidation } from './parts/validation.js';
export { describeExecuteSql } from './parts/execute-sql.js';
