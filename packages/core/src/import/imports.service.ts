import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { parseInput } from '../common/zod-helpers.js';
import { StateError, ValidationError } from '../errors.js';
import type { TenantScope } from '../tenant-scope.js';
import { type ImportEntity, importEntities, type ImportOptions, importOptionsSchema, type ImportReport, type ImportSource } from './import.schema.js';
import { ImportSession } from './import-session.js';
import { importTargets } from './import-targets.js';

const sourceSchema = z.custom<ImportSource>(
  (s) => typeof s === 'string' || s instanceof Uint8Array || (typeof s === 'object' && s !== null && Symbol.asyncIterator in s),
  'Expected a string, a Uint8Array or an async iterable of chunks',
);

/**
 * Imports of CSV and NDJSON files into any record entity, reached as
 * `crm.tenant(id).imports`. Rows are written through the entity's service, so
 * they are validated, normalised, audited and announced by events exactly as
 * records created by hand.
 */
export class ImportsService {
  readonly #ctx: TenantContext;
  readonly #scopeOf: (ctx: TenantContext) => TenantScope;

  /** @internal */
  constructor(ctx: TenantContext, scopeOf: (ctx: TenantContext) => TenantScope) {
    this.#ctx = ctx;
    this.#scopeOf = scopeOf;
  }

  /**
   * Imports a CSV (header row first) or NDJSON source into `entity`. Rows are read
   * as they arrive and written `batchSize` at a time, each batch in one transaction
   * together with the run's position, so a run that stops (a crash, a failing
   * stream) continues with the same `importId` after its last committed batch.
   * Every row is either written or reported with its line, column, field and code;
   * the counts are complete however many issues the report keeps.
   * In an acting member's scope every row is written under their grant (the
   * bulk path too): a row outside it is reported on its line with code
   * `FORBIDDEN`, and keys and references match only records they may read
   * (others are missing). `crm.system(id).imports` writes and matches anything.
   * @throws {ValidationError} for bad options, a mapping naming no field, or an `importId` started with other options
   * @throws {StateError} inside a transaction: an import commits batch by batch
   * @example
   * const report = await t.imports.run('contact', fs.createReadStream('contacts.csv'), {
   *   mode: 'upsert', key: 'email',
   *   mapping: { columns: { 'E-mail': 'email', Company: 'company.domain', Tier: 'custom.tier' } },
   *   onProgress: (p) => console.log(p.rowsRead, p.rowsPerSecond),
   * });
   */
  async run(entity: ImportEntity, source: ImportSource, options?: ImportOptions): Promise<ImportReport> {
    const name = parseInput(z.enum(importEntities), entity, 'import entity');
    const input = parseInput(sourceSchema, source, 'import source');
    const parsed = parseInput(importOptionsSchema, options, 'import options');
    const target = importTargets.get(name)!;
    if (parsed.key !== undefined && !target.keys.includes(parsed.key)) {
      const allowed = target.keys.length > 0 ? target.keys.join(', ') : 'none (create only)';
      throw ValidationError.single(`${name} imports match on ${allowed}, not ${JSON.stringify(parsed.key)}`, ['key']);
    }
    if (this.#ctx.unit) throw new StateError('An import commits batch by batch and cannot run inside a transaction');
    return new ImportSession(this.#ctx, this.#scopeOf, target, parsed).run(input);
  }
}
