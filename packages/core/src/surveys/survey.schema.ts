import { z } from 'zod';
import type { BaseRecord } from '../common/record.js';
import { idSchema, optionalText, timestampSchema } from '../common/zod-helpers.js';

/**
 * Survey kinds: `csat` asks how satisfied the customer is with one service
 * (a case), 1 (very unsatisfied) to 5 (very satisfied); `nps` asks how likely
 * they are to recommend the tenant, 0 to 10 (Net Promoter Score).
 */
export const surveyKinds = ['csat', 'nps'] as const;
/** One of {@link surveyKinds}. */
export type SurveyKind = (typeof surveyKinds)[number];

/** Where a survey stands: waiting for its answer, answered (once), or expired unanswered. */
export const surveyStatuses = ['sent', 'answered', 'expired'] as const;
/** One of {@link surveyStatuses}. */
export type SurveyStatus = (typeof surveyStatuses)[number];

/**
 * What a detractor's answer does besides `survey.detractor`: `reopen` the
 * survey's case (when it is resolved or closed), `escalate` to a task for the
 * manager of the agent's team, or `none`.
 */
export const detractorActions = ['reopen', 'escalate', 'none'] as const;
/** One of {@link detractorActions}. */
export type DetractorAction = (typeof detractorActions)[number];

/** The scores each kind accepts, inclusive, and the highest score that makes a detractor. */
export const surveyScales: Readonly<Record<SurveyKind, { min: number; max: number; detractorAtMost: number }>> = {
  csat: { min: 1, max: 5, detractorAtMost: 2 },
  nps: { min: 0, max: 10, detractorAtMost: 6 },
};

/** Whether a score of this kind is a detractor's: CSAT 1-2, NPS 0-6. */
export function isDetractor(kind: SurveyKind, score: number): boolean {
  return score <= surveyScales[kind].detractorAtMost;
}

/** Input of `surveys.send`. A survey goes to a contact: `contactId`, or the contact of `caseId`. */
export const surveySendSchema = z
  .strictObject({
    kind: z.enum(surveyKinds),
    /** The contact asked. @default the case's contact */
    contactId: idSchema.optional(),
    /** The case the survey is about (CSAT after resolution). */
    caseId: idSchema.nullable().optional(),
    /** The member whose service is rated. @default the case's owner */
    agentId: idSchema.nullable().optional(),
    /** The product the survey is about. */
    productId: idSchema.nullable().optional(),
    /** How it was sent: `email`, `sms`, `chat`, `web`... */
    channel: optionalText(40),
    /** @default 'none' */
    onDetractor: z.enum(detractorActions).optional().default('none'),
    /** When it was sent. @default now */
    sentAt: timestampSchema.optional(),
  })
  .refine((s) => s.contactId !== undefined || (s.caseId !== undefined && s.caseId !== null), {
    message: 'A survey needs a contactId or a caseId whose contact is asked',
    path: ['contactId'],
  });
/** Input of `surveys.send`. */
export type SurveySendInput = z.input<typeof surveySendSchema>;

/**
 * Input of `surveys.respond`. The score is checked against the survey's kind
 * (CSAT 1-5, NPS 0-10) once the survey is read.
 */
export const surveyResponseSchema = z.strictObject({
  score: z.number().int().min(0).max(10),
  comment: z.string().trim().max(5000).transform((s) => (s === '' ? null : s)).nullable().optional(),
  /** When the customer answered. @default now */
  at: timestampSchema.optional(),
});
/** Input of `surveys.respond`. */
export type SurveyResponse = z.input<typeof surveyResponseSchema>;

/** Options of `surveys.remind` and `surveys.expire`. */
export const surveyAtSchema = z.strictObject({ at: timestampSchema.optional() }).optional().default({});
/** Options of `surveys.remind` and `surveys.expire`. */
export interface SurveyAtOptions {
  /** When it happened. @default now */
  at?: string | Date;
}

/** A satisfaction survey sent to a contact, and its answer. */
export interface Survey extends BaseRecord {
  kind: SurveyKind;
  status: SurveyStatus;
  contactId: string;
  caseId: string | null;
  /** The member whose service is rated. */
  agentId: string | null;
  productId: string | null;
  channel: string | null;
  onDetractor: DetractorAction;
  sentAt: string;
  /** The last reminder, with `reminderCount` reminders in all. */
  remindedAt: string | null;
  reminderCount: number;
  answeredAt: string | null;
  expiredAt: string | null;
  /** The answer: CSAT 1-5, NPS 0-10; null until answered. */
  score: number | null;
  comment: string | null;
  /** Whether the answer is a detractor's (CSAT <= 2, NPS <= 6); null until answered. */
  detractor: boolean | null;
  /** The key of the send that made it (`send(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
}
