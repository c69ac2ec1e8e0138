import { z } from 'zod';
import type { BusinessCalendarOptions } from '../calendar/business-calendar.js';
import { caseChannels, casePriorities, type CaseChannel, type CasePriority } from '../cases/case-values.js';
import type { BaseRecord } from '../common/record.js';
import { idSchema } from '../common/zod-helpers.js';
import { caseTypes, type CaseType } from '../contracts/case-types.js';

const minutes = z.number().int().min(1).max(366 * 24 * 60);

/** Targets of one priority, in minutes (calendar or business, as the policy says). A target left out is not measured against. */
export interface SlaTargets {
  /** From opening to the first agent response. */
  firstResponseMinutes?: number;
  /** From the oldest unanswered customer message (after the first response) to the next agent response. */
  nextResponseMinutes?: number;
  /** From opening to resolution. */
  resolutionMinutes?: number;
}

/** Targets per case priority. */
export type SlaPriorityTargets = Partial<Record<CasePriority, SlaTargets>>;

/**
 * Which cases a policy applies to: per case field, the values allowed (any
 * one of them matches; for `tags`, a case with any of the tags matches). A
 * field left out matches every case; no conditions match every case.
 */
export interface SlaConditions {
  priority?: CasePriority[];
  type?: CaseType[];
  channel?: CaseChannel[];
  companyId?: string[];
  teamId?: string[];
  tags?: string[];
}

const targetsSchema = z.strictObject({
  firstResponseMinutes: minutes.optional(),
  nextResponseMinutes: minutes.optional(),
  resolutionMinutes: minutes.optional(),
});

// `.readonly()`: a `BusinessCalendarOptions` (readonly arrays) is a valid input as it is.
const calendarSchema = z.strictObject({
  timeZone: z.string().min(1).max(64),
  workingDays: z.array(z.number().int().min(0).max(6)).min(1).max(7).readonly().optional(),
  hours: z.strictObject({ start: z.string().max(5), end: z.string().max(5) }).optional(),
  holidays: z.array(z.string().max(10)).max(1000).readonly().optional(),
});

const conditionsSchema = z.strictObject({
  priority: z.array(z.enum(casePriorities)).min(1).optional(),
  type: z.array(z.enum(caseTypes)).min(1).optional(),
  channel: z.array(z.enum(caseChannels)).min(1).optional(),
  companyId: z.array(idSchema).min(1).max(1000).optional(),
  teamId: z.array(idSchema).min(1).max(1000).optional(),
  tags: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
});

const policyShape = {
  name: z.string().trim().min(1).max(200),
  /** @default true */
  active: z.boolean().optional(),
  /** @default {} (every case) */
  conditions: conditionsSchema.optional(),
  targets: z.partialRecord(z.enum(casePriorities), targetsSchema),
  /** Count targets in the calendar's working time instead of wall-clock time. @default false */
  businessHours: z.boolean().optional(),
  /** Required with `businessHours`; without, it still gives the business-minute figures of cases. */
  calendar: calendarSchema.nullable().optional(),
  /** Pause the clocks while a case is `on_hold` too (`pending` always pauses). @default false */
  pauseOnHold: z.boolean().optional(),
  /** How long before a due time `case.slaWarning` is due. @default null (no warning) */
  warnBeforeMinutes: minutes.nullable().optional(),
};

const needsCalendar = (p: { businessHours?: boolean | undefined; calendar?: unknown }) => !p.businessHours || Boolean(p.calendar);
const calendarIssue = { message: 'A business-hours policy needs a calendar', path: ['calendar'] };

/** Input of `slaPolicies.create`. */
export const slaPolicyInputSchema = z.strictObject(policyShape).refine(needsCalendar, calendarIssue);
/** Input of `slaPolicies.create`. */
export type SlaPolicyInput = z.input<typeof slaPolicyInputSchema>;

/** Input of `slaPolicies.update`: the fields to change. */
export const slaPolicyPatchSchema = z.strictObject(policyShape).partial();
/** Input of `slaPolicies.update`. */
export type SlaPolicyPatch = z.input<typeof slaPolicyPatchSchema>;

/** An SLA policy: which cases it applies to and the targets it promises them. */
export interface SlaPolicy extends BaseRecord {
  name: string;
  /** Order of matching, from 0: the first active policy whose conditions match applies. */
  position: number;
  active: boolean;
  conditions: SlaConditions;
  targets: SlaPriorityTargets;
  businessHours: boolean;
  calendar: BusinessCalendarOptions | null;
  pauseOnHold: boolean;
  warnBeforeMinutes: number | null;
}

/** The case fields policies match on (`slaPolicies.match`). */
export interface SlaCaseLike {
  priority: CasePriority;
  type?: CaseType | null | undefined;
  channel?: CaseChannel | null | undefined;
  companyId?: string | null | undefined;
  teamId?: string | null | undefined;
  tags?: readonly string[] | undefined;
}

/** Schema of {@link SlaCaseLike}. */
export const slaCaseLikeSchema = z.object({
  priority: z.enum(casePriorities),
  type: z.enum(caseTypes).nullable().optional(),
  channel: z.enum(caseChannels).nullable().optional(),
  companyId: idSchema.nullable().optional(),
  teamId: idSchema.nullable().optional(),
  tags: z.array(z.string()).optional(),
});

/** Whether a policy's conditions match a case. */
export function conditionsMatch(conditions: SlaConditions, c: SlaCaseLike): boolean {
  const one = <V>(allowed: readonly V[] | undefined, value: V | null | undefined) => allowed === undefined || (value != null && allowed.includes(value));
  return one(conditions.priority, c.priority) && one(conditions.type, c.type) && one(conditions.channel, c.channel)
    && one(conditions.companyId, c.companyId) && one(conditions.teamId, c.teamId)
    && (conditions.tags === undefined || conditions.tags.some((tag) => c.tags?.includes(tag)));
}
