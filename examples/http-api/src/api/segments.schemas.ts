import { baseRecordShape, segmentKinds } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';

const ruleSchema = z.record(z.string(), z.unknown()).openapi({
  description: "A where-tree over contact fields as `contacts.list` takes it, with `$metric` conditions (`lastOrderAt`, `orderCount`, `rfm`...); see crmkit's segments",
  example: { lifecycleStage: 'customer', $metric: { metric: 'orderCount', gte: 2 } },
});

/** A segment as the API returns it: crmkit's `Segment` (segments have no owner, tags or custom fields). */
export const segmentSchema = z
  .looseObject({
    ...baseRecordShape,
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(segmentKinds),
    rule: ruleSchema.nullable(),
    refreshEveryMinutes: z.number().int().nullable(),
    refreshDueAt: z.string().nullable(),
    refreshedAt: z.string().nullable().openapi({ description: 'When the membership was last stored; null before the first refresh' }),
  })
  .openapi('Segment');

/** A page of segments. */
export const segmentPageSchema = pageSchema(segmentSchema, 'SegmentPage');

/** What a refresh did: the segment after it, and how many contacts entered and left. */
export const segmentRefreshSchema = z
  .object({ segment: segmentSchema, entered: z.number().int(), left: z.number().int() })
  .openapi('SegmentRefresh');

/** The body of adding or removing members of a static segment. */
export const contactIdsBodySchema = z
  .object({ contactIds: z.array(z.string().min(1).max(64)).min(1).max(1000).openapi({ description: '1 to 1000 contact ids; repeats ignored' }) })
  .openapi('SegmentMembersChange');

/** How many members changed (repeats, and contacts already in or not in, are not counted). */
export const membershipChangeSchema = z.object({ changed: z.number().int() }).openapi('MembershipChange');

/** `GET /segments/{id}/count`. */
export const segmentCountQuery = z.object({
  live: z.enum(['true', 'false']).optional()
    .openapi({ description: '`true`: count the contacts the rule matches now, storing nothing (dynamic segments only)' }),
});
