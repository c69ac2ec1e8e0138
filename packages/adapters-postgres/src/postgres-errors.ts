import type { DriverErrorKind } from '@crmkit/kysely';

/**
 * SQLSTATEs after which the same operation may succeed: serialisation failure,
 * deadlock, lock timeout, the server shutting down or restarting, too many
 * connections, and the connection exceptions of class 08 that mean the
 * connection failed or could not be made. Not 08P01 (protocol_violation): it
 * is what the server answers to a message it cannot accept, such as one with
 * more than 65,535 parameters, and the same message fails every time. Not
 * 08007 (transaction_resolution_unknown) either: the transaction may have
 * committed, and retrying it could apply it twice.
 */
const retryableStates = new Set([
  '40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300',
  '08000', '08001', '08003', '08004', '08006',
]);

/** Socket-level failures, as Node reports them. */
const retryableNodeCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** What pg says when the socket is gone; its errors then carry no code at all. */
const lostConnection = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|terminating connection/i;

/** The columns of a unique violation, from `detail` ("Key (tenant_id, slug)=(...) already exists."). */
function uniqueColumns(error: { detail?: unknown }): string[] {
  const match = typeof error.detail === 'string' ? /^Key \((.+?)\)=\(/.exec(error.detail) : null;
  if (match === null) return [];
  return match[1]!.split(',').map((column) => column.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Classifies an error of pg or PGlite: 23505 is a unique violation (columns
 * from the error's detail), transient server states and lost connections are
 * retryable, anything else is not.
 */
export function classifyPostgresError(error: unknown): DriverErrorKind {
  if (typeof error !== 'object' || error === null) return { kind: 'other' };
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '23505') return { kind: 'unique', columns: uniqueColumns(error as { detail?: unknown }) };
  if (typeof code === 'string' && (retryableStates.has(code) || retryableNodeCodes.has(code))) {
    return { kind: 'retryable' };
  }
  if (code === undefined && typeof message === 'string' && lostConnection.test(message)) return { kind: 'retryable' };
  return { kind: 'other' };
}
