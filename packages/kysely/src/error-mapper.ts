import { CrmError, DuplicateError, StorageError } from '@crmkit/core';
import type { SqlDialect } from './dialect.js';
import type { ModelInfo } from './model-info.js';

/**
 * Maps a driver error to crmkit's typed errors, keeping the original as
 * `cause`. crmkit's own errors pass through unchanged.
 */
export function mapDriverError(error: unknown, dialect: SqlDialect, info?: ModelInfo): Error {
  if (error instanceof CrmError) return error;
  const kind = dialect.classifyError(error);
  const entity = info?.model.name ?? 'storage';
  if (kind.kind === 'unique') {
    const fields = kind.columns
      .map((column) => info?.byColumn.get(column)?.name ?? column)
      .filter((field) => field !== 'tenantId');
    return new DuplicateError(entity, fields, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(`${entity}: ${message}`, { cause: error, retryable: kind.kind === 'retryable' });
}
