import { defineModel, typedField } from '../storage/schema.js';
import type { ForecastCategory, StageCategory } from './pipeline.schema.js';

/** Storage of pipelines. */
export const pipelineModel = defineModel({
  name: 'pipeline',
  table: 'crm_pipeline',
  fields: {
    name: { type: 'string' },
    currency: { type: 'string' },
  },
  indexes: [{ name: 'name', fields: ['name'], unique: true }],
});

/** Storage of the stages of pipelines. */
export const stageModel = defineModel({
  name: 'stage',
  table: 'crm_stage',
  fields: {
    pipelineId: { type: 'string' },
    key: { type: 'string' },
    name: { type: 'string' },
    position: { type: 'integer' },
    probability: { type: 'integer' },
    category: typedField<StageCategory>('string'),
    forecastCategory: typedField<ForecastCategory>('string'),
    staleAfterDays: { type: 'integer', nullable: true },
  },
  indexes: [
    { name: 'pipeline_key', fields: ['pipelineId', 'key'], unique: true },
    { name: 'pipeline_position', fields: ['pipelineId', 'position'] },
  ],
});
