import { z } from 'zod';
import type { BaseRecord } from '../common/record.js';
import { idSchema, optionalText } from '../common/zod-helpers.js';
import type { SegmentKind, SegmentRule } from './segment-rule.js';

const name = z.string().trim().min(1).max(200);
const refreshEveryMinutes = z.number().int().min(1).max(527_040).nullable().optional();

/**
 * Input of `segments.create`. A `dynamic` segment takes a `rule` (checked in
 * the service against the contact model); a `static` one takes none and
 * gets its members by `addMembers`.
 */
export const segmentInputSchema = z
  .strictObject({
    name,
    description: optionalText(2000),
    /** @default 'dynamic' when a rule is given, else 'static' */
    kind: z.enum(['dynamic', 'static']).optional(),
    /** The rule of a dynamic segment; see {@link SegmentRule}. */
    rule: z.unknown().optional(),
    /** Re-evaluate a dynamic segment every so many minutes, by `refreshDue`. @default null (on demand only) */
    refreshEveryMinutes,
  })
  .transform((input, ctx) => {
    const kind: SegmentKind = input.kind ?? (input.rule === undefined ? 'static' : 'dynamic');
    if (kind === 'dynamic' && input.rule === undefined) ctx.addIssue({ code: 'custom', message: 'A dynamic segment needs a rule', path: ['rule'] });
    if (kind === 'static' && input.rule !== undefined) ctx.addIssue({ code: 'custom', message: 'A static segment has no rule', path: ['rule'] });
    if (kind === 'static' && input.refreshEveryMinutes != null) {
      ctx.addIssue({ code: 'custom', message: 'A static segment is not refreshed', path: ['refreshEveryMinutes'] });
    }
    return { ...input, kind };
  });
/** Input of `segments.create`. */
export type SegmentInput = {
  name: string;
  description?: string | null;
  /** @default 'dynamic' when a rule is given, else 'static' */
  kind?: SegmentKind;
  /** The rule of a dynamic segment. */
  rule?: SegmentRule;
  /** Re-evaluate a dynamic segment every so many minutes, by `refreshDue`. @default null (on demand only) */
  refreshEveryMinutes?: number | null;
};

/** Input of `segments.update`: the fields to change. A static segment takes no rule nor schedule. */
export const segmentPatchSchema = z.strictObject({
  name: name.optional(),
  description: optionalText(2000),
  rule: z.unknown().optional(),
  refreshEveryMinutes,
});
/** Input of `segments.update`. */
export type SegmentPatch = Partial<Omit<SegmentInput, 'kind'>>;

/** A list of contact ids for `addMembers` / `removeMembers`: 1 to 1000, repeats ignored. */
export const contactIdsSchema = z.array(idSchema).min(1).max(1000).transform((ids) => [...new Set(ids)]);

/** Options of `segments.count`. */
export const countOptionsSchema = z.strictObject({ live: z.boolean().optional() }).optional().default({});
/** Options of `segments.count`. */
export interface SegmentCountOptions {
  /**
   * Count the contacts the rule matches now, without storing anything,
   * instead of the stored membership (dynamic segments only).
   * @default false
   */
  live?: boolean;
}

/** Options of `segments.refreshDue`. */
export const refreshDueOptionsSchema = z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }).optional().default({});
/** Options of `segments.refreshDue`. */
export interface RefreshDueOptions {
  /** Most segments refreshed by this call. @default 10 */
  limit?: number;
}

/** A segment of contacts. */
export interface Segment extends BaseRecord {
  name: string;
  description: string | null;
  kind: SegmentKind;
  /** The rule of a dynamic segment as written (relative times stay relative); null for a static list. */
  rule: SegmentRule | null;
  /** Minutes between scheduled refreshes; null: on demand only. */
  refreshEveryMinutes: number | null;
  /** When the next scheduled refresh is due; null without a schedule. */
  refreshDueAt: string | null;
  /** When the membership was last refreshed; null before the first refresh. */
  refreshedAt: string | null;
}

/** The segment as events carry it. */
export type SegmentRef = Pick<Segment, 'id' | 'name' | 'kind'>;

/** Payload of `segment.entered` and `segment.left`. */
export interface SegmentMembershipChange {
  /** The segment. */
  segment: SegmentRef;
  /** The contact that entered or left it. */
  contactId: string;
}

/** What `segments.refresh` did. */
export interface SegmentRefresh {
  /** The segment after the refresh. */
  segment: Segment;
  /** Contacts that entered (one `segment.entered` each). */
  entered: number;
  /** Contacts that left (one `segment.left` each). */
  left: number;
}

/** What `addMembers` / `removeMembers` did. */
export interface MembershipChange {
  /** Contacts added or removed now (repeats and those already in, or not in, are not counted). */
  changed: number;
}
