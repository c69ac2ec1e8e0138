import { z } from 'zod';
import type { Clock } from '../common/clock.js';
import { parseInput, tenantIdSchema } from '../common/zod-helpers.js';
import { StateError, ValidationError } from '../errors.js';
import { coreMigrations } from '../migrations/index.js';
import { coreModels } from '../schema.js';
import type { Row, Storage, StorageAdapter } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import {
  decodeRow, encodeRowLine, parseHeader, tenantBackupFormat, tenantBackupVersion,
  type TenantBackupEndLine, type TenantBackupHeader,
} from './backup-format.js';
import { sourceLines, type TenantBackupSource } from './ndjson-lines.js';

/** Options of {@link TenantAdmin.backup}. */
export interface TenantBackupOptions {
  /**
   * Rows read per storage call (a keyset page): what the backup holds in memory at once.
   * @default 500
   */
  pageSize?: number;
}

/** Options of {@link TenantAdmin.restore}. */
export interface TenantRestoreOptions {
  /**
   * Restore under this tenant id instead of the backup's own (a copy of a
   * tenant next to it, or a renamed tenant). `tenantId` properties inside JSON
   * fields that named the source tenant are rewritten to it.
   * @default the backup's tenant id
   */
  tenantId?: string;
  /**
   * Rows per `createMany` call: what the restore holds in memory at once.
   * @default 500
   */
  batchSize?: number;
}

/** What {@link TenantAdmin.restore} wrote. */
export interface TenantRestoreResult {
  /** The tenant the rows were written to. */
  tenantId: string;
  /** Rows written, by model name (`contact`, `deal`, `event`...); models without rows are left out. */
  rows: Record<string, number>;
}

const pageSchema = z.number().int().min(1).max(10_000);
const backupOptionsSchema = z.strictObject({ pageSize: pageSchema.optional() });
const restoreOptionsSchema = z.strictObject({ tenantId: tenantIdSchema.optional(), batchSize: pageSchema.optional() });

/**
 * The tables core backs up, restores and deletes: every model of
 * {@link coreModels}, in its declaration order (parents before the rows that
 * name them; adapters create no foreign keys, so the order is for readers
 * of a backup, not for the database). Extensions' tables (workflows) are not
 * reached: core does not know which of their rows mirror state held elsewhere
 * (graphile-worker jobs on Postgres).
 */
const tenantModels: readonly ModelDefinition[] = Object.values(coreModels);
const modelsByName = new Map(tenantModels.map((model) => [model.name, model]));
const migrationIds = coreMigrations.map((migration) => migration.id);

/**
 * Administration of whole tenants: delete every row of one, back one up as
 * NDJSON and restore it into the same or another database. Reached as
 * `crm.tenants`. Every call streams: backups read keyset pages, restores
 * write batches, and deletes run in the database, so memory stays flat
 * whatever the tenant's size.
 */
export class TenantAdmin {
  readonly #adapter: StorageAdapter;
  readonly #clock: Clock;

  /** @internal */
  constructor(adapter: StorageAdapter, clock: Clock) {
    this.#adapter = adapter;
    this.#clock = clock;
  }

  /**
   * Deletes every row of the tenant from every core table, in one transaction:
   * all of it or, on a failure, none. Idempotent: a tenant without rows gives
   * zero counts. Emits no events and writes no audit entries (they are the
   * tenant's rows too).
   * @returns rows deleted, by model name (models without rows left out)
   * @throws {ValidationError} for a malformed tenant id
   * @example
   * const deleted = await crm.tenants.delete('acme'); // { contact: 120, deal: 14, event: 530, ... }
   */
  async delete(tenantId: string): Promise<Record<string, number>> {
    const id = parseInput(tenantIdSchema, tenantId, 'tenant id');
    return this.#adapter.transaction(async (tx) => {
      const deleted: Record<string, number> = {};
      for (const model of tenantModels) {
        const count = await tx.deleteMany({ model, tenantId: id, where: {} });
        if (count > 0) deleted[model.name] = count;
      }
      return deleted;
    });
  }

  /**
   * The tenant's rows as NDJSON lines (each ending in `\n`): a header
   * ({@link TenantBackupHeader}: format, version, tenant id, core migration
   * ids), then one `{ "model", "row" }` line per row, model by model in id
   * order, and an end line counting the rows, so that a truncated backup is
   * refused on restore. Rows are read a keyset page at a time. The backup is
   * not a snapshot: stop the tenant's writes while it runs for a consistent one.
   * Workflow tables are not included (see docs/tenants.md).
   * @throws {ValidationError} for a malformed tenant id or options
   * @example
   * await pipeline(Readable.from(crm.tenants.backup('acme')), createWriteStream('acme.ndjson'));
   */
  backup(tenantId: string, options: TenantBackupOptions = {}): AsyncIterable<string> {
    const id = parseInput(tenantIdSchema, tenantId, 'tenant id');
    const { pageSize } = parseInput(backupOptionsSchema, options, 'backup options');
    return this.#lines(id, pageSize ?? 500);
  }

  async *#lines(tenantId: string, pageSize: number): AsyncGenerator<string> {
    const header: TenantBackupHeader = {
      format: tenantBackupFormat, version: tenantBackupVersion, tenantId, migrations: migrationIds, startedAt: this.#clock.now().toISOString(),
    };
    yield `${JSON.stringify(header)}\n`;
    let rows = 0;
    for (const model of tenantModels) {
      let after: Row | undefined;
      for (;;) {
        const page: Row[] = await this.#adapter.findMany({ model, tenantId, orderBy: [{ field: 'id' }], after, limit: pageSize });
        for (const row of page) yield `${encodeRowLine(model, row)}\n`;
        rows += page.length;
        if (page.length < pageSize) break;
        after = { id: page[page.length - 1]!.id };
      }
    }
    yield `${JSON.stringify({ end: { rows } } satisfies TenantBackupEndLine)}\n`;
  }

  /**
   * Writes a backup into this database, in one transaction: every row or, on
   * any failure (a malformed line, a truncated backup, a value the database
   * refuses), none. Rows keep their ids, timestamps and versions. Restored
   * events are written to the outbox as new rows of its log, after every
   * event already there (see docs/tenants.md). Emits no events.
   * @throws {ValidationError} for a source that is not a complete backup of this crmkit's core migrations
   * @throws {StateError} when the tenant already has rows (delete it first)
   * @example
   * await crm.tenants.restore(createReadStream('acme.ndjson'), { tenantId: 'acme-copy' });
   */
  async restore(source: TenantBackupSource, options: TenantRestoreOptions = {}): Promise<TenantRestoreResult> {
    const parsed = parseInput(restoreOptionsSchema, options, 'restore options');
    if (typeof source !== 'string' && (source === null || typeof source !== 'object' || !(Symbol.asyncIterator in source || Symbol.iterator in source))) {
      throw ValidationError.single('A backup source is its text or an iterable of its chunks', ['source']);
    }
    const batchSize = parsed.batchSize ?? 500;
    return this.#adapter.transaction(async (tx) => {
      const lines = sourceLines(source);
      const first = await lines.next();
      if (first.done === true) throw ValidationError.single('The backup is empty', ['line', 1]);
      const header = parseHeader(parseLine(first.value.text, first.value.line), migrationIds);
      const tenantId = parsed.tenantId ?? parseInput(tenantIdSchema, header.tenantId, 'backup tenant id');
      await assertEmpty(tx, tenantId);
      const rename = tenantId === header.tenantId ? undefined : { from: header.tenantId, to: tenantId };
      const written: Record<string, number> = {};
      let batch: Row[] = [];
      let batchModel: ModelDefinition | undefined;
      const flush = async (): Promise<void> => {
        if (batchModel === undefined || batch.length === 0) return;
        await tx.createMany({ model: batchModel, tenantId, rows: batch });
        written[batchModel.name] = (written[batchModel.name] ?? 0) + batch.length;
        batch = [];
      };
      let total = 0;
      let ended = false;
      for await (const { text, line } of lines) {
        if (ended) throw ValidationError.single(`Backup line ${line} comes after the end line`, ['line', line]);
        const value = parseLine(text, line) as Partial<TenantBackupEndLine & { model: unknown; row: unknown }>;
        if (value.end !== undefined) {
          if (value.end?.rows !== total) throw ValidationError.single(`The backup's end line counts ${String(value.end?.rows)} rows, it holds ${total}`, ['line', line]);
          ended = true;
          continue;
        }
        const model = typeof value.model === 'string' ? modelsByName.get(value.model) : undefined;
        if (model === undefined || value.row === null || typeof value.row !== 'object' || Array.isArray(value.row)) {
          throw ValidationError.single(`Backup line ${line} is not a row of a core model`, ['line', line]);
        }
        if (model !== batchModel || batch.length >= batchSize) {
          await flush();
          batchModel = model;
        }
        batch.push(decodeRow(model, value.row as Row, line, rename));
        total++;
      }
      await flush();
      if (!ended) throw ValidationError.single('The backup is truncated: it has no end line', ['line']);
      return { tenantId, rows: written };
    });
  }
}

function parseLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`Backup line ${line} is not JSON`, [{ path: ['line', line], message: 'not JSON', code: 'custom' }], { cause: error });
  }
}

/** Refuses a restore that would mix the backup's rows with rows the tenant has. */
async function assertEmpty(tx: Storage, tenantId: string): Promise<void> {
  for (const model of tenantModels) {
    const [row] = await tx.findMany({ model, tenantId, limit: 1, select: ['id'] });
    if (row !== undefined) throw new StateError(`Tenant ${tenantId} already has ${model.name} rows: delete it first (crm.tenants.delete) or restore under another tenant id`);
  }
}
