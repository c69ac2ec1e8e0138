export { createKyselyStorage, kyselyOf, type KyselyStorageOptions } from './kysely-adapter.js';
export type {
  SqlDialect,
  SqlFragment,
  JsonKind,
  JsonScalarKind,
  ListElementType,
  ValueCodec,
  DriverErrorKind,
  ClaimDueParts,
  LogDialect,
  LogTable,
  LogReadParts,
  LogRunner,
} from './dialect.js';
export { kyselyExecutor, type QueryExecutor } from './executor.js';
export { compileMigrations, migrate } from './migrator.js';
export { migrationTable } from './ddl.js';
