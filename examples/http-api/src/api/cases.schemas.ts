import {
  caseActivityKinds, caseChannels, caseInputSchema, casePriorities, caseStatuses, interactionDirections, interactionInputSchema, slaTargetNames,
} from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { recordSchema } from '../http/records.js';

const slaClockStates = ['running', 'paused', 'met', 'breached', 'stopped'] as const;
const targetMinutesSchema = z.looseObject({
  firstResponseMinutes: z.number().optional(),
  nextResponseMinutes: z.number().optional(),
  resolutionMinutes: z.number().optional(),
});

/** One SLA clock of a case as crmkit stores it (`SlaClock`). */
export const slaClockSchema = z
  .looseObject({
    targetMinutes: z.number().nullable(),
    startedAt: z.string(),
    state: z.enum(slaClockStates),
    runningSince: z.string().nullable(),
    elapsedMs: z.number(),
    elapsedBusinessMs: z.number().nullable(),
    dueAt: z.string().nullable(),
    reachedAt: z.string().nullable(),
    warnedFor: z.string().nullable(),
    breachedFor: z.string().nullable(),
  })
  .openapi('SlaClock');

/** A case's `sla` column (`CaseSla`): the policy's rules and targets as copied when it opened, and one clock per target. */
export const caseSlaSchema = z
  .looseObject({
    policyId: z.string().nullable(),
    policyName: z.string().nullable(),
    businessHours: z.boolean(),
    calendar: z.record(z.string(), z.unknown()).nullable(),
    pauseOnHold: z.boolean(),
    warnBeforeMinutes: z.number().nullable(),
    targets: z.partialRecord(z.enum(casePriorities), targetMinutesSchema),
    pausedSince: z.string().nullable(),
    pausedMs: z.number(),
    clocks: z.object({ firstResponse: slaClockSchema.nullable(), nextResponse: slaClockSchema.nullable(), resolution: slaClockSchema.nullable() }),
  })
  .openapi('CaseSla');

/** A case as the API returns it: crmkit's case fields plus its number, status, SLA clocks and figures. */
export const caseSchema = recordSchema('Case', {
  ...caseInputSchema.shape,
  number: z.number().int().openapi({ description: 'Per tenant from 1, shown `#12`' }),
  type: caseInputSchema.shape.type.unwrap(),
  channel: z.enum(caseChannels),
  priority: z.enum(casePriorities),
  status: z.enum(caseStatuses),
  teamId: z.string().nullable(),
  slaPolicyId: z.string().nullable(),
  sla: caseSlaSchema,
  openedAt: z.string(),
  firstResponseAt: z.string().nullable(),
  firstResponseDueAt: z.string().nullable(),
  nextResponseDueAt: z.string().nullable(),
  resolutionDueAt: z.string().nullable(),
  awaitingSince: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  reopenCount: z.number().int(),
  pausedMinutes: z.number(),
  firstResponseMinutes: z.number().nullable(),
  firstResponseBusinessMinutes: z.number().nullable(),
  resolutionMinutes: z.number().nullable(),
  resolutionBusinessMinutes: z.number().nullable(),
  firstResponseBreached: z.boolean().nullable(),
  resolutionBreached: z.boolean().nullable(),
  nextResponseBreaches: z.number().int(),
  satisfaction: z.number().int().nullable(),
  externalId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
});

/** A page of cases. */
export const casePageSchema = pageSchema(caseSchema, 'CasePage');

/** The body of `POST /cases/{id}/status`. */
export const caseStatusBodySchema = z
  .strictObject({
    status: z.enum(caseStatuses).openapi({ description: 'Moves along `caseTransitions`; another move is a 409 `INVALID_STATE`' }),
    at: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When it happened. Default: now' }),
  })
  .openapi('CaseStatusChange');

/** The interaction a response or customer message wrote on the case (and on its contact's timeline). */
export const caseMessageSchema = recordSchema('CaseMessage', {
  ...interactionInputSchema.shape,
  direction: z.enum(interactionDirections),
  occurredAt: z.string(),
  caseId: z.string().nullable(),
  messageId: z.string().nullable(),
});

/** What `respond` and `addCustomerMessage` answer: the case after the message, the interaction, and whether it was the first response. */
export const caseMessageResultSchema = z
  .object({ record: caseSchema, interaction: caseMessageSchema, first: z.boolean() })
  .openapi('CaseMessageResult');

/** One entry of a case's history (`CaseActivity`). */
export const caseActivitySchema = z
  .looseObject({
    tenantId: z.string(),
    id: z.string(),
    caseId: z.string(),
    kind: z.enum(caseActivityKinds),
    at: z.string(),
    actorId: z.string().nullable(),
    fromStatus: z.enum(caseStatuses).nullable(),
    toStatus: z.enum(caseStatuses).nullable(),
    interactionId: z.string().nullable(),
    target: z.enum(slaTargetNames).nullable(),
    waitMinutes: z.number().nullable(),
    businessWaitMinutes: z.number().nullable(),
    breached: z.boolean().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('CaseActivity');

/** A case's history, oldest first. */
export const caseHistorySchema = z.object({ items: z.array(caseActivitySchema) }).openapi('CaseHistory');

/** Where one SLA target of a case stands at the time of the request. */
export const slaTargetViewSchema = z
  .object({
    measured: z.boolean().openapi({ description: 'False while the case has no clock for it (`nextResponse` runs only while a customer message waits)' }),
    state: z.enum(slaClockStates).nullable(),
    running: z.boolean().openapi({ description: 'The clock counts now' }),
    targetMinutes: z.number().nullable().openapi({ description: 'Null: measured without a target' }),
    dueAt: z.string().nullable().openapi({ description: 'When the target falls due; null while paused, once reached, or without a target' }),
    reachedAt: z.string().nullable(),
    elapsedMinutes: z.number().openapi({ description: 'Wall-clock minutes counted up to now, net of pauses' }),
    breached: z.boolean().openapi({ description: 'Reached late, or running past its due time now' }),
  })
  .openapi('SlaTargetView');

/** The SLA view of a case: its policy, whether the clocks run, each target's due time and the breaches. */
export const caseSlaViewSchema = z
  .object({
    caseId: z.string(),
    status: z.enum(caseStatuses),
    at: z.string().openapi({ description: 'The time the view was computed for (the server clock)' }),
    policy: z.object({ id: z.string(), name: z.string().nullable() }).nullable()
      .openapi({ description: 'The policy copied onto the case when it opened; null when none matched' }),
    businessHours: z.boolean(),
    paused: z.boolean().openapi({ description: 'The case waits (pending, or on hold under a policy that pauses then): every clock stands still' }),
    pausedSince: z.string().nullable(),
    pausedMinutes: z.number().openapi({ description: 'Wall-clock minutes of pauses that ended' }),
    awaitingSince: z.string().nullable(),
    targets: z.object({ firstResponse: slaTargetViewSchema, nextResponse: slaTargetViewSchema, resolution: slaTargetViewSchema }),
    breaches: z.object({
      firstResponse: z.boolean().nullable().openapi({ description: '`firstResponseBreached`: null until known' }),
      resolution: z.boolean().nullable(),
      nextResponses: z.number().int().openapi({ description: 'How many next responses came after their target' }),
    }),
    breached: z.boolean().openapi({ description: 'Any target breached, now or earlier in the case' }),
  })
  .openapi('CaseSlaView');

/** The parsed {@link caseSlaViewSchema}. */
export type CaseSlaView = z.infer<typeof caseSlaViewSchema>;
