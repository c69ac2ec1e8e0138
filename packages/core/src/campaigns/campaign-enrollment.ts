import type { TenantContext, WriteScope } from '../common/context.js';
import { combine, EntityStore } from '../common/entity-store.js';
import { contactModel } from '../contacts/contact.model.js';
import { DuplicateError, StateError } from '../errors.js';
import { storedMembers } from '../segments/segment-membership.js';
import type { Storage } from '../storage/adapter.js';
import type { Where } from '../storage/where.js';
import { campaignEntity, campaignMemberEntity } from './campaign.entity.js';
import { campaignMemberModel } from './campaign.model.js';
import type { CampaignMember, EnrollResult } from './campaign-member.schema.js';
import type { Campaign } from './campaign.schema.js';

/**
 * Contacts per enrolment batch: each batch is one transaction holding one
 * page of contacts, their new member rows and events, so memory stays at one
 * batch whatever the audience (the where-tree of 500 ids stays far below the
 * bound parameters of either database).
 */
export const enrollBatchSize = 500;

/**
 * Whom an enrolment reaches, as parsed: ids in memory (given by the caller),
 * or a where-tree paged by id. `whole` reads it without the actor's grant.
 */
export type Audience = { contactIds: string[] } | { where: Where; whole?: boolean };

/**
 * The audience of a segment: its stored members, all of them. The segment's
 * membership is the tenant's (computed over every contact), and enrolling it
 * is what the actor, allowed to update the campaign, asked for: so it
 * reaches the members the actor may not read too, counted but never listed
 * back to them. Ids and where-trees reach only contacts the actor may read.
 */
export function segmentAudience(segmentId: string): Audience {
  return { where: storedMembers(segmentId), whole: true };
}

/** Who of the audience is enrolled, and when (see `EnrollInput`). */
export interface EnrollRules {
  requireConsent: boolean;
  preferredChannelOnly: boolean;
  at: string | undefined;
}

interface Batch {
  /** Contacts read, in id order. */
  contacts: { id: string; consent: Record<string, string | undefined>; preferredChannel: string | null }[];
  /** Listed ids that matched no contact. */
  unknown: number;
}

/** A campaign that may take members: draft or active, read in the writing transaction. */
async function openCampaign(w: WriteScope, campaignId: string): Promise<Campaign> {
  const campaign = await new EntityStore(w.ctx, campaignEntity).get(campaignId, w.tx);
  if (campaign.status !== 'draft' && campaign.status !== 'active') {
    throw new StateError(`Campaign ${campaignId} is ${campaign.status}: it takes no new members`);
  }
  return campaign;
}

async function readBatch(tx: Storage, ctx: TenantContext, audience: Audience, index: number, after: string | undefined): Promise<Batch> {
  if ('contactIds' in audience) {
    const ids = audience.contactIds.slice(index * enrollBatchSize, (index + 1) * enrollBatchSize);
    if (ids.length === 0) return { contacts: [], unknown: 0 };
    const rows = await tx.findMany({ model: contactModel, tenantId: ctx.tenantId, where: { id: { in: ids } }, orderBy: [{ field: 'id' }], select: ['consent', 'preferredChannel'] });
    return { contacts: rows, unknown: ids.length - rows.length };
  }
  const where = after === undefined ? audience.where : combine(audience.where, { id: { gt: after } });
  const rows = await tx.findMany({ model: contactModel, tenantId: ctx.tenantId, ...(where ? { where } : {}), orderBy: [{ field: 'id' }], limit: enrollBatchSize, select: ['consent', 'preferredChannel'] });
  return { contacts: rows, unknown: 0 };
}

/**
 * Enrols one batch in one transaction: the campaign is re-read (a campaign
 * closed meanwhile stops the run), consent is read with the contacts, and
 * only contacts without a member row get one.
 */
async function enrollBatch(ctx: TenantContext, campaignId: string, audience: Audience, index: number, after: string | undefined, rules: EnrollRules) {
  return ctx.write(async (w) => {
    const campaign = await openCampaign(w, campaignId);
    // One storage for the contacts and their member rows: a member row of a contact read is always seen.
    const tx = 'whole' in audience && audience.whole === true ? w.systemTx : w.tx;
    const batch = await readBatch(tx, ctx, audience, index, after);
    const counts: EnrollResult = { enrolled: 0, alreadyEnrolled: 0, optedOut: 0, noConsent: 0, prefersOther: 0, unknown: batch.unknown };
    const candidates: string[] = [];
    for (const contact of batch.contacts) {
      const consent = contact.consent[campaign.channel];
      if (consent === 'denied') counts.optedOut += 1;
      else if (rules.requireConsent && consent !== 'granted') counts.noConsent += 1;
      else if (rules.preferredChannelOnly && contact.preferredChannel !== null && contact.preferredChannel !== campaign.channel) counts.prefersOther += 1;
      else candidates.push(contact.id);
    }
    if (candidates.length > 0) {
      const existing = await tx.findMany({
        model: campaignMemberModel, tenantId: ctx.tenantId, where: { campaignId, contactId: { in: candidates } }, select: ['contactId'],
      });
      const members = new Set(existing.map((m) => m.contactId));
      counts.alreadyEnrolled = members.size;
      const store = new EntityStore(ctx, campaignMemberEntity);
      const rows = candidates.filter((id) => !members.has(id)).map((contactId) => store.newRow(w, {
        campaignId, contactId, status: 'targeted', channel: campaign.channel, enrolledAt: rules.at ?? w.now,
        sentAt: null, openedAt: null, respondedAt: null, convertedAt: null, unsubscribedAt: null, responseInteractionId: null,
      }));
      if (rows.length > 0) await w.tx.createMany({ model: campaignMemberModel, tenantId: ctx.tenantId, rows });
      for (const row of rows) w.emit('campaign.memberEnrolled', { record: { tenantId: ctx.tenantId, ...row } as CampaignMember });
      counts.enrolled = rows.length;
    }
    return { counts, last: batch.contacts.at(-1)?.id, read: batch.contacts.length + batch.unknown };
  });
}

/**
 * Enrols an audience in a campaign, batch by batch: idempotent (a contact
 * has at most one member row per campaign, so a second run, or a run resumed
 * after a crash, only adds who is missing), and counting every contact once.
 * A contact who denied consent on the campaign's channel is skipped as
 * `optedOut`, and `rules` may skip more (`noConsent`, `prefersOther`). Inside a host transaction every batch joins it.
 * @throws {NotFoundError} for an unknown campaign @throws {StateError} for a completed or cancelled one
 */
export async function enrollAudience(ctx: TenantContext, campaignId: string, audience: Audience, rules: EnrollRules): Promise<EnrollResult> {
  const total: EnrollResult = { enrolled: 0, alreadyEnrolled: 0, optedOut: 0, noConsent: 0, prefersOther: 0, unknown: 0 };
  let after: string | undefined;
  for (let index = 0; ; index++) {
    const { counts, last, read } = await withRetry(ctx, () => enrollBatch(ctx, campaignId, audience, index, after, rules));
    for (const key of Object.keys(total) as (keyof EnrollResult)[]) total[key] += counts[key];
    after = last;
    if (read < enrollBatchSize) return total;
  }
}

/**
 * A concurrent enrolment of the same contact breaks the unique (campaign,
 * contact) pair and rolls the batch back; run again, the batch sees that
 * member and skips it. Inside a host transaction the failure ends the
 * transaction, so it is the host's to retry.
 */
async function withRetry<T>(ctx: TenantContext, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof DuplicateError) || ctx.unit !== undefined || attempt >= 3) throw error;
    }
  }
}
