import { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { defined } from '../common/references.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Row, Storage } from '../storage/adapter.js';
import { pipelineModel, stageModel } from './pipeline.model.js';
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
import { resolveStages } from './stage-defaults.js';

type PipelineRow = Omit<Pipeline, 'stages'>;

/** Pipelines and their ordered stages. Reached as `crm.tenant(id).pipelines`. */
export class PipelinesService {
  readonly #ctx: TenantContext;
  readonly #pipelines: EntityStore<PipelineRow>;
  /** @internal */
  readonly stages: EntityStore<Stage>;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
    this.#pipelines = new EntityStore<PipelineRow>(ctx, pipelineModel, (row: Row) => row as unknown as PipelineRow);
    this.stages = new EntityStore<Stage>(ctx, stageModel, (row: Row) => row as unknown as Stage);
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
      const rows = resolved.map((stage) => this.stages.newRow(w, { ...stage, pipelineId: pipeline.id }));
      await w.tx.createMany({ model: stageModel, tenantId: this.#ctx.tenantId, rows });
      const record = { ...pipeline, stages: rows as unknown as Stage[] };
      w.emit('pipeline.created', { record });
      return record;
    });
  }

  /** Reads a pipeline with its stages in order. @throws {NotFoundError} */
  async get(id: string): Promise<Pipeline> {
    return this.load(parseInput(idSchema, id, 'pipeline id'));
  }

  /** The pipeline with this name, if any. */
  async findByName(name: string): Promise<Pipeline | undefined> {
    const [row] = await this.#pipelines.all({ name: parseInput(z.string().max(100), name, 'pipeline name') });
    return row && this.load(row.id);
  }

  /** Lists pipelines, each with its stages. */
  async list(options?: ListOptions): Promise<Page<Pipeline>> {
    const page = await this.#pipelines.list(parseInput(listOptionsSchema, options, 'list options'));
    const stages = await this.stages.all({ pipelineId: { in: page.items.map((p) => p.id) } }, [{ field: 'position' }]);
    return { ...page, items: page.items.map((p) => ({ ...p, stages: stages.filter((s) => s.pipelineId === p.id) })) };
  }

  /**
   * Appends a stage at the end of a pipeline.
   * @throws {ValidationError} @throws {NotFoundError} @throws {DuplicateError} for a key already used
   */
  async addStage(pipelineId: string, stage: StageInput): Promise<Pipeline> {
    const id = parseInput(idSchema, pipelineId, 'pipeline id');
    const data = parseInput(stageInputSchema, stage, 'stage');
    return this.#ctx.write(async (w) => {
      const pipeline = await this.load(id, w.tx);
      const [resolved] = resolveStages([data], pipeline.stages.length);
      await this.stages.insert(w, { ...resolved, pipelineId: id });
      return this.#touched(w, id);
    });
  }

  /**
   * Changes a stage. Deals already in the stage keep the probability they
   * entered with; new entries get the new one.
   * @throws {ValidationError} @throws {NotFoundError}
   */
  async updateStage(pipelineId: string, stage: string, patch: StagePatch): Promise<Pipeline> {
    const id = parseInput(idSchema, pipelineId, 'pipeline id');
    const data = parseInput(stagePatchSchema, patch, 'stage patch');
    return this.#ctx.write(async (w) => {
      const pipeline = await this.load(id, w.tx);
      const target = this.resolveStage(pipeline, stage);
      const next = pipeline.stages.map((s) => (s.id === target.id ? { ...s, ...defined(data) } : s));
      if (!next.some((s) => s.category === 'open')) {
        throw ValidationError.single('A pipeline needs at least one open stage', ['category']);
      }
      await this.stages.patch(w, target.id, () => defined(data));
      return this.#touched(w, id);
    });
  }

  /** @internal Loads a pipeline and its stages. @throws {NotFoundError} */
  async load(id: string, storage: Storage = this.#ctx.storage): Promise<Pipeline> {
    const pipeline = await this.#pipelines.get(id, storage);
    const stages = await this.stages.all({ pipelineId: id }, [{ field: 'position' }], storage);
    return { ...pipeline, stages };
  }

  /**
   * @internal Finds a stage of the pipeline by key or id.
   * @throws {NotFoundError}
   */
  resolveStage(pipeline: Pipeline, ref: string): Stage {
    const stage = pipeline.stages.find((s) => s.key === ref || s.id === ref);
    if (!stage) throw new NotFoundError('stage', ref);
    return stage;
  }

  /** Bumps the pipeline's version (unless `bumped` already did) and emits the updated pipeline. */
  async #touched(w: WriteScope, id: string, bumped = false): Promise<Pipeline> {
    if (!bumped) await w.tx.update({ model: pipelineModel, tenantId: this.#ctx.tenantId, id, data: { updatedAt: w.now } });
    const record = await this.load(id, w.tx);
    w.emit('pipeline.updated', { record });
    return record;
  }

  /** Renames a pipeline. @throws {NotFoundError} @throws {DuplicateError} */
  async rename(pipelineId: string, name: string): Promise<Pipeline> {
    const id = parseInput(idSchema, pipelineId, 'pipeline id');
    const newName = parseInput(z.string().trim().min(1).max(100), name, 'pipeline name');
    return this.#ctx.write(async (w) => {
      const { changes } = await this.#pipelines.patch(w, id, () => ({ name: newName }));
      return this.#touched(w, id, changes.length > 0);
    });
  }
}

