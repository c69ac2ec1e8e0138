import { defineEntity, sameShape } from '../entities/entity.js';
import { pipelineModel, stageModel } from './pipeline.model.js';
import type { Pipeline, Stage } from './pipeline.schema.js';

/** A pipeline as stored: without its stages, which have their own table. */
export type PipelineRecord = Omit<Pipeline, 'stages'>;

/** Pipelines (their stages are read with them by the pipelines service). */
export const pipelineEntity = defineEntity({
  name: 'pipeline', service: 'pipelines', model: pipelineModel,
  toRecord: (row): PipelineRecord => row, toRow: sameShape.toRow<PipelineRecord>,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});

/** The stages of pipelines; reached through their pipeline. */
export const stageEntity = defineEntity({
  name: 'stage', service: 'pipelines', model: stageModel,
  toRecord: (row): Stage => row, toRow: sameShape.toRow<Stage>,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});
