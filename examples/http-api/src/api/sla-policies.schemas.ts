import { baseRecordShape, slaPolicyInputSchema } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';

/**
 * An SLA policy as the API returns it: crmkit's policy fields with their
 * defaults applied and its matching `position`. Policies are shared set-up,
 * not owned records: the common fields only, without owner, tags or custom.
 */
export const slaPolicySchema = z
  .looseObject({
    ...baseRecordShape,
    ...slaPolicyInputSchema.shape,
    position: z.number().int().openapi({ description: 'Matching order from 0: a new case takes the first active policy whose conditions match' }),
    active: z.boolean(),
    conditions: slaPolicyInputSchema.shape.conditions.unwrap(),
    businessHours: z.boolean(),
    pauseOnHold: z.boolean(),
    warnBeforeMinutes: z.number().int().nullable(),
  })
  .openapi('SlaPolicy');

/** A page of SLA policies. */
export const slaPolicyPageSchema = pageSchema(slaPolicySchema, 'SlaPolicyPage');
