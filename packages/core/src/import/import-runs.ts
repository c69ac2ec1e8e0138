import { createHash } from 'node:crypto';
import type { TenantContext } from '../common/context.js';
import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import type { ImportEntity, ParsedImportOptions } from './import.schema.js';
import { importRunModel } from './import-run.model.js';

type RunRow = NonNullable<(typeof importRunModel)['rowType']>;

/** What a run has committed: the rows up to `lastRow` are done and counted. */
export interface RunPosition {
  lastRow: number;
  lastLine: number;
  rowsRead: number;
  created: number;
  updated: number;
  rejected: number;
}

/**
 * What must be the same for a run to continue another: the entity, the options
 * that change what a row becomes, and the file's columns. The batch size may
 * change between attempts; the callbacks do not matter.
 */
export function optionsHash(entity: ImportEntity, options: ParsedImportOptions, columns: readonly string[]): string {
  const { format, mapping, mode, key, delimiter } = options;
  const text = JSON.stringify([entity, format, mapping ?? null, mode, key ?? null, delimiter, columns]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * The position of the run `id`, made if it is new. A run of the same id with other
 * options or columns cannot be continued: its rows would not mean the same.
 * @throws {ValidationError}
 */
export async function openRun(ctx: TenantContext, id: string, entity: ImportEntity, hash: string): Promise<{ position: RunPosition; resumed: boolean }> {
  const existing = await ctx.storage.findOne({ model: importRunModel, tenantId: ctx.tenantId, id });
  if (existing !== undefined) {
    if (existing.entity !== entity || existing.optionsHash !== hash) {
      throw ValidationError.single(`Import ${id} was started with another entity, options or columns and cannot be continued with these`, ['importId']);
    }
    return { position: positionOf(existing), resumed: true };
  }
  const now = ctx.now();
  const row = { tenantId: ctx.tenantId, id, createdAt: now, updatedAt: now, entity, optionsHash: hash, status: 'running' as const, lastRow: 0, lastLine: 0, rowsRead: 0, created: 0, updated: 0, rejected: 0, finishedAt: null };
  await ctx.runtime.adapter.transaction((tx) => tx.create({ model: importRunModel, tenantId: ctx.tenantId, data: row }));
  return { position: positionOf(row), resumed: false };
}

/** Records the run's position in the transaction of the batch that got it there. */
export async function saveRun(tx: Storage, ctx: TenantContext, id: string, position: RunPosition, done: boolean): Promise<void> {
  const now = ctx.now();
  await tx.update({
    model: importRunModel, tenantId: ctx.tenantId, id,
    data: { ...position, updatedAt: now, status: done ? 'completed' : 'running', finishedAt: done ? now : null },
  });
}

function positionOf(row: RunRow): RunPosition {
  const { lastRow, lastLine, rowsRead, created, updated, rejected } = row;
  return { lastRow, lastLine, rowsRead, created, updated, rejected };
}
