import { CompiledQuery, type TransactionSettings } from 'kysely';

/** The statement starting a transaction with Kysely's settings (isolation level, access mode). */
export function beginStatement(settings: TransactionSettings): CompiledQuery {
  let text = 'begin';
  if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
  if (settings.accessMode) text += ` ${settings.accessMode}`;
  return CompiledQuery.raw(text);
}
