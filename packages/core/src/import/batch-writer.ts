import { assertInputWritable } from '../access/field-inputs.js';
import { runUnit, type TenantContext, type UnitOfWork } from '../common/context.js';
import { CrmError } from '../errors.js';
import type { TenantScope } from '../tenant-scope.js';
import type { ImportTarget } from './import-targets.js';
import type { RowDraft } from './row-draft.js';

/** A row's service call failed: the batch is rolled back and written again without it. */
class RowFailure extends Error {
  constructor(
    readonly draft: RowDraft,
    readonly error: CrmError,
  ) {
    super(error.message);
  }
}

/** What a batch needs to be written. */
export interface BatchWrite {
  ctx: TenantContext;
  scopeOf: (ctx: TenantContext) => TenantScope;
  target: ImportTarget;
  /** Validated rows, each with its `op`. */
  rows: readonly RowDraft[];
  /** Runs last in the batch's transaction (the run's position), given the rows that failed. */
  finish(unit: UnitOfWork, failed: ReadonlyMap<RowDraft, CrmError>): Promise<void>;
}

/**
 * Writes a batch in one transaction through the services' own write paths (so
 * validation, normalisation, audit and outbox events happen as for any call):
 * the bulk create when the service has one (given the rows validation already
 * parsed and prepared), else one call per row. A row whose
 * call fails (a duplicate, a rule only the service knows) rolls the transaction
 * back — Postgres cannot go on after a failed statement — and the batch is
 * written again without it, row by row; the failed rows are returned with their errors.
 * Errors that are not about a row (a lost connection) reject.
 */
export async function writeBatch(b: BatchWrite): Promise<Map<RowDraft, CrmError>> {
  const failed = new Map<RowDraft, CrmError>();
  const prepared = b.target.bulk;
  let bulk = prepared !== undefined;
  const { runtime } = b.ctx;
  for (;;) {
    const live = b.rows.filter((row) => !failed.has(row));
    try {
      await runUnit(runtime, async (unit) => {
        const ctx = b.ctx.inUnit(unit);
        const scope = b.scopeOf(ctx);
        if (bulk) {
          const creates = live.filter((row) => row.op?.kind === 'create');
          if (creates.length > 0) await createPrepared(b, ctx, creates);
        }
        for (const row of live) {
          const op = row.op!;
          if (bulk && op.kind === 'create') continue;
          try {
            // Row by row, a prepared create still goes through the bulk path: its row is not parsed again.
            if (op.kind === 'create') await (prepared ? createPrepared(b, ctx, [row]) : b.target.create(scope, row.values));
            else await b.target.update(scope, op.id, row.values);
          } catch (error) {
            if (error instanceof CrmError) throw new RowFailure(row, error);
            throw error;
          }
        }
        await b.finish(unit, failed);
      });
      return failed;
    } catch (error) {
      if (error instanceof RowFailure) failed.set(error.draft, error.error);
      // The bulk call fails as a whole without saying which row; row by row finds it.
      else if (bulk && error instanceof CrmError) bulk = false;
      else throw error;
    }
  }
}

/**
 * The bulk create of prepared rows. It bypasses the tenant scope's services,
 * so the actor's field rules are checked here, on the row as the file gave it.
 */
async function createPrepared(b: BatchWrite, ctx: TenantContext, rows: readonly RowDraft[]): Promise<void> {
  for (const row of rows) await assertInputWritable(ctx, b.target.entity, 'create', null, row.values);
  await b.target.bulk!.createMany(ctx, rows.map((row) => row.prepared));
}
