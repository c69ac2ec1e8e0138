export { kyselyOf } from '@crmkit/kysely';
export { postgresAdapter, type PostgresAdapterOptions, type PostgresStorageAdapter } from './postgres-adapter.js';
export { postgresDialect, postgresCapabilities } from './postgres-dialect.js';
export { classifyPostgresError } from './postgres-errors.js';
export { PgDriver, PgConnection, type PgDriverOptions } from './pg-driver.js';
export { PgliteDriver, PgliteConnection } from './pglite-driver.js';
