import type { TenantContext } from '../common/context.js';
import { NotFoundError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import { pipelineEntity, stageEntity } from './pipeline.entity.js';
import type { Pipeline, Stage } from './pipeline.schema.js';

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
