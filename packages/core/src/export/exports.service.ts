import { once } from 'node:events';
import type { TenantContext } from '../common/context.js';
import { combine } from '../common/entity-store.js';
import { parseInput } from '../common/zod-helpers.js';
import type { EntityDefinition } from '../entities/entity.js';
import { entities, type EntityName, type EntityRow } from '../entities/registry.js';
import { CrmError, ForbiddenError, NotFoundError } from '../errors.js';
import { storedMembers } from '../segments/segment-membership.js';
import { segmentModel } from '../segments/segment.model.js';
import type { Row } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';
import { type Column, planColumns } from './export-columns.js';
import { columnValue, csvCell, csvText, ndjsonLine } from './export-format.js';
import { readReferences, referencesOf } from './export-references.js';
import { type ExportOptions, type ExportResult, type ExportTarget, exportOptionsSchema, exportTargetSchema } from './export.schema.js';

interface Plan {
  entity: EntityDefinition<EntityRow>;
  segmentId: string | undefined;
  where: Where | undefined;
  columns: Column[];
  format: 'csv' | 'ndjson';
  pageSize: number;
  onProgress: ExportOptions['onProgress'];
}

/** One page of output: its text and how many records it holds. */
interface Chunk {
  text: string;
  rows: number;
}

/**
 * Streams a tenant's records out as CSV or NDJSON, a page at a time: memory
 * holds one page of records whatever the export's size. Columns follow an
 * import mapping read the other way, so a file exported with a mapping imports
 * back with the same mapping. Reached as `crm.tenant(id).exports`.
 *
 * Pages are read in id order with a keyset position (`id > last`), each its
 * own query outside any transaction: a record created during the export is
 * included when its id sorts after the position reached, and no record is
 * skipped or written twice.
 */
export class ExportsService {
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /**
   * The export as text chunks (the header first for CSV, then a chunk per page).
   * Options are checked at the call; an unknown segment fails on the first read.
   * @throws {ValidationError} for an unknown entity, field path, option or `where` field
   * @throws {NotFoundError} (when iterated) for a segment the tenant does not have
   * @throws {ForbiddenError} (when iterated) for an actor whose roles export none of the entity; an actor
   *   exporting `own` or `team` gets those of the rows they may read
   * @example
   * for await (const chunk of t.exports.stream('contact', { where: { lifecycleStage: 'customer' } })) process.stdout.write(chunk);
   */
  stream(target: ExportTarget, options?: ExportOptions): AsyncIterable<string> {
    const plan = this.#plan(target, options);
    // Each iteration reads the export anew, as iterating a list twice would.
    const chunks = () => this.#chunks(plan);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of chunks()) if (chunk.text !== '') yield chunk.text;
      },
    };
  }

  /**
   * Writes the export into a writable stream (a file, `process.stdout`, an
   * HTTP response), waiting for `drain` whenever `write` returns false, so a
   * slow consumer slows the reads instead of filling memory. The stream is
   * left open: end it yourself.
   * @throws {ValidationError} @throws {NotFoundError} for a segment the tenant does not have
   * @example
   * const out = createWriteStream('customers.csv');
   * const { rows } = await t.exports.toWritable('contact', out, { mapping });
   * out.end();
   */
  async toWritable(target: ExportTarget, writable: NodeJS.WritableStream, options?: ExportOptions): Promise<ExportResult> {
    const plan = this.#plan(target, options);
    let rows = 0;
    for await (const chunk of this.#chunks(plan)) {
      rows += chunk.rows;
      if (chunk.text !== '' && !writable.write(chunk.text)) await drained(writable);
    }
    return { rows };
  }

  /**
   * How many records an export of `target` with this `where` writes now (a
   * progress bar's total): counted in the database.
   * @throws {ValidationError} @throws {NotFoundError} for a segment the tenant does not have @throws {ForbiddenError}
   */
  async count(target: ExportTarget, options?: Pick<ExportOptions, 'where'>): Promise<number> {
    const plan = this.#plan(target, options);
    const where = await this.#scope(plan);
    return this.#ctx.storage.count({ model: plan.entity.model, tenantId: this.#ctx.tenantId, ...(where ? { where } : {}) });
  }

  /**
   * The rows an export reads: `where`, for a segment its stored members, and
   * the actor's `export` scope (the read scope applies anyway, in the
   * storage). An actor whose roles export none of the entity is refused
   * rather than handed an empty file, which would read as "there is nothing".
   * @throws {ForbiddenError} (entity, 'export', null) @throws {NotFoundError} for an unknown segment
   */
  async #scope(plan: Plan): Promise<Where | undefined> {
    const entity = plan.entity.name as EntityName;
    const policy = await this.#ctx.policy();
    if (policy !== null && policy.level(entity, 'export') === 'none') throw new ForbiddenError(entity, 'export', null);
    const exportable = await this.#ctx.accessScope(plan.entity.model.name, 'export');
    const where = combine(plan.where, exportable ?? undefined);
    if (plan.segmentId === undefined) return where;
    const segment = await this.#ctx.storage.findOne({ model: segmentModel, tenantId: this.#ctx.tenantId, id: plan.segmentId });
    if (segment === undefined) throw new NotFoundError('segment', plan.segmentId);
    return combine(where, storedMembers(segment.id));
  }

  #plan(target: ExportTarget, options: ExportOptions | undefined): Plan {
    const what = parseInput(exportTargetSchema, target, 'export target');
    const data = parseInput(exportOptionsSchema, options, 'export options');
    const segmentId = typeof what === 'string' ? undefined : what.segmentId;
    const entity = (typeof what === 'string' ? entities[what] : entities.contact) as unknown as EntityDefinition<EntityRow>;
    return {
      entity, segmentId,
      where: data.where as Where | undefined,
      columns: planColumns(entity, this.#ctx.runtime.customFields, data),
      format: data.format ?? 'csv',
      pageSize: data.pageSize ?? 500,
      onProgress: data.onProgress,
    };
  }

  async *#chunks(plan: Plan): AsyncGenerator<Chunk> {
    const { tenantId } = this.#ctx;
    const storage = this.#ctx.storage;
    const scope = await this.#scope(plan);
    const references = referencesOf(plan.columns);
    const started = performance.now();
    if (plan.format === 'csv') yield { text: csvText([plan.columns.map((c) => c.header)]), rows: 0 };
    let after: Row | undefined;
    let written = 0;
    for (;;) {
      const rows = await storage.findMany({
        model: plan.entity.model, tenantId, ...(scope ? { where: scope } : {}), ...(after ? { after } : {}), limit: plan.pageSize,
      });
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      after = { id: last.id };
      const records = rows.map((row) => plan.entity.toRecord(row) as Record<string, unknown>);
      const found = await readReferences(storage, tenantId, references, records);
      const text =
        plan.format === 'csv'
          ? csvText(records.map((record) => plan.columns.map((column) => csvCell(columnValue(column, record, found)))))
          : records.map((record) => ndjsonLine(plan.columns, record, found)).join('');
      written += rows.length;
      yield { text, rows: rows.length };
      if (plan.onProgress) {
        const elapsedMs = performance.now() - started;
        plan.onProgress({ rows: written, rowsPerSecond: elapsedMs > 0 ? (written * 1000) / elapsedMs : 0, elapsedMs });
      }
      if (rows.length < plan.pageSize) break;
    }
  }
}

/** Resolves on `drain`; rejects when the stream fails or closes first, so an export never waits forever. */
async function drained(writable: NodeJS.WritableStream): Promise<void> {
  const controller = new AbortController();
  const emitter = writable as unknown as NodeJS.EventEmitter;
  try {
    await Promise.race([
      once(emitter, 'drain', { signal: controller.signal }),
      once(emitter, 'close', { signal: controller.signal }).then(() => {
        throw new CrmError('STREAM_CLOSED', 'The stream closed before the export was written');
      }),
    ]);
  } finally {
    controller.abort();
  }
}
