import { baseRecordShape, forecastCategories, pipelineInputSchema, stageCategories, stageInputSchema } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';

/**
 * A stage as stored: crmkit's stage fields with every default applied.
 * Pipelines and stages are not owned records (no owner, tags or custom
 * fields), so they take `baseRecordShape` rather than `recordSchema`.
 */
export const stageSchema = z
  .looseObject({
    ...baseRecordShape,
    ...stageInputSchema.shape,
    pipelineId: z.string(),
    key: z.string().openapi({ description: 'What `POST /deals/{id}/move` and the stage gates name the stage by' }),
    position: z.number().int().openapi({ description: '0-based order within the pipeline' }),
    probability: z.number().int(),
    category: z.enum(stageCategories),
    forecastCategory: z.enum(forecastCategories),
    staleAfterDays: z.number().int().nullable(),
  })
  .openapi('Stage');

/** A pipeline with its stages in order. */
export const pipelineSchema = z
  .looseObject({ ...baseRecordShape, ...pipelineInputSchema.shape, currency: z.string(), stages: z.array(stageSchema) })
  .openapi('Pipeline');

/** A page of pipelines. */
export const pipelinePageSchema = pageSchema(pipelineSchema, 'PipelinePage');

/** The body of `PATCH /pipelines/{id}`: crmkit's `rename`. (`pick` is refused on a refined schema, so the field is taken by hand.) */
export const pipelineRenameSchema = z.strictObject({ name: pipelineInputSchema.shape.name }).openapi('PipelineRename');
