import { type LogPage, type LogPositionArgs, type ReadLogArgs, type Row, StorageError, ValidationError } from '@crmkit/core';
import { type Kysely, sql } from 'kysely';
import type { LogRunner, LogTable, SqlFragment } from './dialect.js';
import { mapDriverError } from './error-mapper.js';
import type { StorageContext } from './kysely-storage.js';
import { type FieldInfo, type ModelInfo, plainField } from './model-info.js';
import { decodeRows, selectList } from './row-codec.js';
import { ShapeBuilder, bindShape } from './shape.js';

/** Binds values directly: log reads are not cached shapes, each statement is compiled as it comes. */
class ValueBuilder extends ShapeBuilder {
  override bind(value: unknown): () => SqlFragment {
    return () => sql.val(value);
  }
}

/**
 * The log of a model, or a ValidationError: `readLog` and `logPosition` only
 * read tables a migration made logs, and only committed rows, so never on a
 * transaction handle.
 */
function logOf(info: ModelInfo, db: Kysely<any>, method: string): LogTable {
  if (info.log === undefined) throw ValidationError.single(`${method}: ${info.model.name} is not a log model (log: true)`, ['model']);
  if (db.isTransaction) throw ValidationError.single(`${method} reads committed rows only: call it outside a transaction`);
  return info.log;
}

function runner(ctx: StorageContext, db: Kysely<any>, info: ModelInfo): LogRunner {
  return async (statement) => {
    try {
      return (await ctx.executor.execute(db, statement.compile(db))).rows as Row[];
    } catch (error) {
      throw mapDriverError(error, ctx.dialect, info);
    }
  };
}

/** `Storage.readLog` on a Kysely instance (the root, never a transaction). */
export async function readLog(ctx: StorageContext, db: Kysely<any>, args: ReadLogArgs): Promise<LogPage> {
  const info = ctx.models.get(args.model);
  const table = logOf(info, db, 'readLog');
  if (!Number.isSafeInteger(args.limit) || args.limit < 1) throw ValidationError.single('"limit" must be a positive integer', ['limit']);
  if (args.after !== undefined && typeof args.after !== 'string') throw ValidationError.single('"after" must be a position string', ['after']);
  let fields: readonly FieldInfo[] = info.fields;
  let decoded = info.decoded;
  if (args.select !== undefined) {
    const names = new Set(['tenantId', 'id', ...args.select]);
    for (const name of names) plainField(info, name);
    fields = info.fields.filter((f) => names.has(f.name));
    decoded = fields.filter((f) => f.decode !== undefined);
  }
  const filter = ctx.where.compile(info, args.where, new ValueBuilder());
  const page = await ctx.dialect.log.read(
    table,
    { select: selectList(fields, ctx.dialect), filter: filter?.(), after: args.after, limit: args.limit },
    runner(ctx, db, info),
  );
  return { rows: decodeRows(page.rows, decoded), position: page.position };
}

/** `Storage.logPosition` on a Kysely instance. */
export async function logPosition(ctx: StorageContext, db: Kysely<any>, args: LogPositionArgs): Promise<string> {
  const info = ctx.models.get(args.model);
  return ctx.dialect.log.end(logOf(info, db, 'logPosition'), runner(ctx, db, info));
}

/** Reserves `count` positions through the dialect's `reserve` statement, in the caller's transaction; returns the first. */
export async function reservePositions(ctx: StorageContext, db: Kysely<any>, info: ModelInfo, count: number): Promise<number> {
  const b = new ShapeBuilder();
  b.key = 'logReserve';
  const param = b.bind(count);
  const shape = info.shapes.get(db, b.key, () => ctx.dialect.log.reserve!(info.log!, param()));
  let rows: unknown[];
  try {
    rows = (await ctx.executor.execute(db, bindShape(shape, b.values))).rows;
  } catch (error) {
    throw mapDriverError(error, ctx.dialect, info);
  }
  const first = Number((rows[0] as { first?: unknown } | undefined)?.first);
  if (!Number.isSafeInteger(first)) throw new StorageError(`${info.model.name}: the log has no counter (was its addLog migration applied?)`);
  return first;
}
