import type { TenantContext, WriteScope } from '../common/context.js';
import { NotFoundError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import { pipelineEntity, stageEntity } from './pipeline.entity.js';
import type { Pipeline, Stage } from './pipeline.schema.js';

/** The memo key of a pipeline in a unit of work (see {@link pipelineIn}). */
export const pipelineMemoKey = (tenantId: string, id: string) => `pipeline:${tenantId}:${id}`;

/**
 * A pipeline with its stages as the running write sees it, read once per unit
 * of work: a host transaction that writes many deals of one pipeline reads it
 * once. The pipelines service drops the memo when it changes the pipeline.
 *
 * Read with the actor's grant (a pipeline the caller names, as in
 * `deals.create`), unless `asSystem`: the pipeline a deal already sits in is
 * part of that deal, so whoever may move the deal reads its stages. The two
 * are memoised apart, so that a system read never answers an enforced one.
 * @throws {NotFoundError}
 */
export async function pipelineIn(w: WriteScope, id: string, asSystem = false): Promise<Pipeline> {
  const key = `${pipelineMemoKey(w.ctx.tenantId, id)}${asSystem ? ':system' : ''}`;
  const known = w.unit.memo.get(key) as Pipeline | undefined;
  if (known !== undefined) return known;
  const pipeline = await loadPipeline(w.ctx, id, asSystem ? w.systemTx : w.tx);
  w.unit.memo.set(key, pipeline);
  return pipeline;
}

/** Forgets a pipeline memoised by {@link pipelineIn}, both reads of it: the running write changes it. */
export function forgetPipeline(w: WriteScope, id: string): void {
  const key = pipelineMemoKey(w.ctx.tenantId, id);
  w.unit.memo.delete(key);
  w.unit.memo.delete(`${key}:system`);
}

/** Loads a pipeline and its stages in order. @throws {NotFoundError} */
export async function loadPipeline(ctx: TenantContext, id: string, storage: Storage = ctx.storage): Promise<Pipeline> {
  const row = await storage.findOne({ model: pipelineEntity.model, tenantId: ctx.tenantId, id });
  if (row === undefined) throw new NotFoundError('pipeline', id);
  const stages = await storage.findMany({ model: stageEntity.model, tenantId: ctx.tenantId, where: { pipelineId: id }, orderBy: [{ field: 'position' }] });
  return { ...row, stages };
}

/** Finds a stage of the pipeline by key or id. @throws {NotFoundError} */
export function resolveStage(pipeline: Pipeline, ref: string): Stage {
  const stage = pipeline.stages.find((s) => s.key === ref || s.id === ref);
  if (!stage) throw new NotFoundError('stage', ref);
  return stage;
}
