import { contactInputSchema } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { recordSchema } from '../http/records.js';

/** A contact as the API returns it: crmkit's contact fields plus what only stored contacts have. */
export const contactSchema = recordSchema('Contact', {
  ...contactInputSchema.shape,
  emails: z.array(z.object({ address: z.string(), label: z.string().nullable() })),
  phones: z.array(z.object({ number: z.string(), label: z.string().nullable() })),
  satisfactionAt: z.string().nullable(),
  csat: z.number().int().nullable(),
  csatAt: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  erasedAt: z.string().nullable(),
});

/** A page of contacts. */
export const contactPageSchema = pageSchema(contactSchema, 'ContactPage');

/** One entry of a record's timeline (`t.timeline.forContact`): an interaction, a deal's stage change or a task. */
export const timelineItemSchema = z
  .object({
    kind: z.enum(['interaction', 'stageChange', 'task']),
    at: z.string(),
    id: z.string(),
    interaction: z.record(z.string(), z.unknown()).optional(),
    change: z.record(z.string(), z.unknown()).optional(),
    task: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('TimelineItem');

/** A page of a timeline, newest first. */
export const timelinePageSchema = pageSchema(timelineItemSchema, 'TimelinePage');
