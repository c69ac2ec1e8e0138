import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { defined } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { ConflictError, ValidationError } from '../errors.js';
import { pipelineEntity, type PipelineRecord, stageEntity } from './pipeline.entity.js';
import { forgetPipeline, loadPipeline, resolveStage } from './pipeline-reader.js';
import {
  type Pipeline,
  type PipelineInput,
  pipelineInputSchema,
  type Stage,
  type StageInput,
  stageInputSchema,
  type StagePatch,
  stagePatchSchema,
} from './pipeline.schema.js';
import { reclassifyDeals } from './reclassify-deals.js';
import { defaultForecast, resolveStages } from './stage-defaults.js';

/** Pipelines and their ordered stages. Reached as `crm.tenant(id).pipelines`. */
export class PipelinesService {
  readonly #ctx: TenantContext;
  readonly #pipelines: EntityStore<NonNullable<(typeof pipelineEntity)['model']['rowType']>, PipelineRecord>;
  readonly #stages: EntityStore<NonNullable<(typeof stageEntity)['model']['rowType']>, Stage>;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
    this.#pipelines = new EntityStore(ctx, pipelineEntity);
    this.#stages = new EntityStore(ctx, stageEntity);
  }

  /**
   * Creates a pipeline with its stages, in one transaction.
   * @throws {ValidationError} @throws {DuplicateError} for a taken name
   * @example
   * const sales = await t.pipelines.create({
   *   name: 'Sales',
   *   stages: [{ name: 'Qualification' }, { name: 'Negotiation' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
   * });
   */
  async create(input: PipelineInput): Promise<Pipeline> {
    const data = parseInput(pipelineInputSchema, input, 'pipeline');
    const resolved = resolveStages(data.stages);
    return this.#ctx.write(async (w) => {
      const pipeline = await this.#pipelines.insert(w, { name: data.name, currency: data.currency });
      const rows = resolved.map((stage) => this.#stages.newRow(w, { ...stage, pipelineId: pipeline.id }));
      await w.tx.createMany({ model: stageEntity.model, tenantId: this.#ctx.tenantId, rows });
      const stages = rows.map((row) => this.#stages.toRecord(row as NonNullable<(typeof stageEntity)['model']['rowType']>));
      const record = { ...pipeline, stages };
      w.emit('pipeline.created', { record });
      return record;
    });
  }

  /** Reads a pipeline with its stages in order. @throws {NotFoundError} */
  async get(id: string): Promise<Pipeline> {
    return loadPipeline(this.#ctx, parseInput(idSchema, id, 'pipeline id'));
  }

  /** The pipeline with this name, if any. */
  async findByName(name: string): Promise<Pipeline | undefined> {
    const row = await this.#pipelines.first({ name: parseInput(z.string().max(100), name, 'pipeline name') });
    return row && loadPipeline(this.#ctx, row.id);
  }

  /** Lists pipelines, each with its stages. */
  async list(options?: ListOptions): Promise<Page<Pipeline>> {
    const page = await this.#pipelines.list(parseInput(listOptionsSchema, options, 'list options'));
    const stages = await this.#stages.all({ pipelineId: { in: page.items.map((p) => p.id) } }, [{ field: 'position' }]);
    return { ...page, items: page.items.map((p) => ({ ...p, stages: stages.filter((s) => s.pipelineId === p.id) })) };
  }

  /**
   * Appends a stage at the end of a pipeline.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} for a stale `expectedVersion` @throws {DuplicateError} for a key already used
   */
  async addStage(pipelineId: string, stage: StageInput, options?: WriteOptions): Promise<Pipeline> {
    const id = parseInput(idSchema, pipelineId, 'pipeline id');
    const data = parseInput(stageInputSchema, stage, 'stage');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.#ctx.write(async (w) => {
      const pipeline = await this.#lock(w, id, expectedVersion);
      const [resolved] = resolveStages([data], pipeline.stages.length);
      await this.#stages.insert(w, { ...resolved!, pipelineId: id });
      return this.#touched(w, id);
    });
  }

  /**
   * Changes a stage. Deals already in the stage keep the probability they
   * entered with; new entries get the new one. A new category reclassifies the
   * deals in the stage (status, `closedAt`, each audited with a
   * `deal.updated`), and takes the category's default forecast category unless
   * one is given.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} for a stale `expectedVersion`
   */
  async updateStage(pipelineId: string, stage: string, patch: StagePatch, options?: WriteOptions): Promise<Pipeline> {
    const id = parseInput(idSchema, pipelineId, 'pipeline id');
    const ref = parseInput(z.string().min(1).max(64), stage, 'stage');
    const data = parseInput(stagePatchSchema, patch, 'stage patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.#ctx.write(async (w) => {
      const pipeline = await this.#lock(w, id, expectedVersion);
      const target = resolveStage(pipeline, ref);
      const recategorised = data.category !== undefined && data.category !== target.category;
      const changes: Partial<Stage> = {
        ...defined(data),
        ...(recategorised && data.forecastCategory === undefined ? { forecastCategory: defaultForecast[data.category!] } : {}),
      };
      const next = pipeline.stages.map((s) => (s.id === target.id ? { ...s, ...changes } : s));
      if (!next.some((s) => s.category === 'open')) {
        throw ValidationError.single('A pipeline needs at least one open stage', ['category']);
      }
      await this.#stages.patch(w, target.id, () => changes);
      if (recategorised) await reclassifyDeals(w, target.id, data.category!);
      return this.#touched(w, id);
    });
  }

  /** Reads the pipeline locked for the write, checking the caller's expected version. */
  async #lock(w: WriteScope, id: string, expectedVersion: number | undefined): Promise<Pipeline> {
    // This write changes the pipeline: later calls of the unit must read it again.
    forgetPipeline(w, id);
    const pipeline = await loadPipeline(this.#ctx, id, w.tx);
    await this.#pipelines.get(id, w.tx, true);
    if (expectedVersion !== undefined && pipeline.version !== expectedVersion) throw new ConflictError('pipeline', id, expectedVersion, pipeline.version);
    return pipeline;
  }

  /** Bumps the pipeline's version (unless `bumped` already did) and emits the updated pipeline. */
  async #touched(w: WriteScope, id: string, bumped = false): Promise<Pipeline> {
    forgetPipeline(w, id);
    if (!bumped) await w.tx.update({ model: pipelineEntity.model, tenantId: this.#ctx.tenantId, id, data: { updatedAt: w.now } });
    const record = await loadPipeline(this.#ctx, id, w.tx);
    w.emit('pipeline.updated', { record });
    return record;
  }

  /** Renames a pipeline. @throws {NotFoundError} @throws {ConflictError} for a stale `expectedVersion` @throws {DuplicateError} */
  async rename(pipelineId: string, name: string, options?: WriteOptions): Promise<Pipeline> {
    const id = parseInput(idSchema, pipelineId, 'pipeline id');
    const newName = parseInput(z.string().trim().min(1).max(100), name, 'pipeline name');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.#ctx.write(async (w) => {
      const { changes } = await this.#pipelines.patch(w, id, () => ({ name: newName }), expectedVersion);
      return this.#touched(w, id, changes.length > 0);
    });
  }
}
