import { dealInputSchema, dealStatuses } from '@crmkit/core';
import { z } from '@hono/zod-openapi';
import { pageSchema } from '../http/pages.js';
import { recordSchema } from '../http/records.js';

/**
 * Minor units as the API writes them (see `toJson`): a number while it is a
 * safe integer, a decimal string beyond 2^53.
 */
const minorUnitsSchema = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

/** Money as stored: integer minor units and the upper-case ISO 4217 code. */
const moneyRecordSchema = z.object({ minor: minorUnitsSchema, currency: z.string() }).openapi('Money');

/** A product line as stored, with its total. */
const dealLineSchema = z
  .object({
    productId: z.string().nullable(),
    name: z.string(),
    quantity: z.number(),
    unitPriceMinor: z.number().int(),
    discountPercent: z.number(),
    totalMinor: z.number().int().openapi({ description: 'quantity x unit price less discount, rounded' }),
  })
  .openapi('DealLine');

const { stage: _stage, enteredAt: _enteredAt, ...dealFields } = dealInputSchema.shape;

/** A deal as the API returns it: crmkit's deal fields, the stage it is in and its derived amounts. */
export const dealSchema = recordSchema('Deal', {
  ...dealFields,
  stageId: z.string(),
  status: z.enum(dealStatuses),
  amount: moneyRecordSchema,
  probability: z.number().int(),
  weightedAmountMinor: minorUnitsSchema.openapi({ description: '`amount x probability / 100`, rounded, in minor units' }),
  expectedCloseOn: z.string().nullable(),
  stageEnteredAt: z.string(),
  closedAt: z.string().nullable(),
  contactIds: z.array(z.string()),
  lines: z.array(dealLineSchema),
  idempotencyKey: z.string().nullable(),
});

/** A page of deals. */
export const dealPageSchema = pageSchema(dealSchema, 'DealPage');

/** The body of `POST /deals/{id}/move`. */
export const moveBodySchema = z
  .strictObject({
    stage: z.string().min(1).max(64).openapi({ description: 'A stage key (`won`) or id of the deal\'s pipeline', example: 'engaging' }),
    reason: z.string().trim().min(1).max(500).optional().openapi({ description: 'Why the deal was lost; only for a lost stage' }),
  })
  .openapi('DealMove');

/** The body of `POST /deals/{id}/lost`. */
export const lostBodySchema = moveBodySchema.pick({ reason: true }).openapi('DealLost');

/** One stage change of a deal (crmkit's `StageChange`). */
export const stageChangeSchema = z
  .looseObject({
    id: z.string(),
    dealId: z.string(),
    pipelineId: z.string(),
    fromStageId: z.string().nullable().openapi({ description: 'Null for the stage the deal was created in' }),
    toStageId: z.string(),
    toStatus: z.enum(dealStatuses),
    at: z.string(),
    actorId: z.string().nullable().openapi({ description: 'The member who moved it' }),
    secondsInFromStage: z.number().int().nullable(),
  })
  .openapi('StageChange');

/** A deal's stage history, oldest first. */
export const stageHistorySchema = z.object({ items: z.array(stageChangeSchema) }).openapi('StageHistory');

/** A contact of a deal and its role on it. */
export const dealContactSchema = z
  .object({ contactId: z.string(), role: z.string().nullable(), addedAt: z.string() })
  .openapi('DealContact');

/** The contacts of a deal, oldest link first. */
export const dealContactsSchema = z.object({ items: z.array(dealContactSchema) }).openapi('DealContacts');

/** The body of `POST /deals/{id}/contacts`. */
export const addContactBodySchema = z
  .strictObject({
    contactId: z.string().min(1).max(64),
    role: z.string().trim().min(1).max(100).nullable().optional().openapi({ description: '`champion`, `decision maker`...; a linked contact with another role changes role' }),
  })
  .openapi('DealContactAdd');

/** The path of one contact of a deal. */
export const dealContactParamSchema = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }),
  contactId: z.string().min(1).max(64).openapi({ param: { name: 'contactId', in: 'path' } }),
});
