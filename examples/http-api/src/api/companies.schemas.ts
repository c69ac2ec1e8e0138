import { companyInputSchema } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { recordSchema } from '../http/records.js';

/** A company as the API returns it: crmkit's company fields plus what only stored companies have. */
export const companySchema = recordSchema('Company', {
  ...companyInputSchema.shape,
  domain: z.string().nullable().openapi({ description: 'The bare lower-case host crmkit stores (`globex.com`), unique per tenant' }),
  idempotencyKey: z.string().nullable(),
});

/** A page of companies. */
export const companyPageSchema = pageSchema(companySchema, 'CompanyPage');

/** The direct subsidiaries of a company, by name (crmkit returns them all at once). */
export const subsidiariesSchema = z.object({ items: z.array(companySchema) }).openapi('Subsidiaries');
