export { kyselyOf } from '@crmkit/kysely';
export { sqliteAdapter, type SqliteAdapterOptions, type SqliteStorageAdapter, type PragmaValue } from './sqlite-adapter.js';
export { sqliteDialect, sqliteCapabilities } from './sqlite-dialect.js';
export { SqliteDriver, SqliteConnection, type SqliteDriverOptions } from './sqlite-driver.js';
export { registerSqliteFunctions } from './sqlite-functions.js';
