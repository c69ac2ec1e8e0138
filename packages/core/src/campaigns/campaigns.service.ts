import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { StateError, ValidationError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import { insertInteraction } from '../interactions/insert-interaction.js';
import { interactionEntity } from '../interactions/interaction.entity.js';
import type { Interaction } from '../interactions/interaction.schema.js';
import { type Audience, enrollAudience, segmentAudience } from './campaign-enrollment.js';
import { campaignEntity, campaignMemberEntity } from './campaign.entity.js';
import type { campaignMemberModel, campaignModel } from './campaign.model.js';
import { advanceMember, markMembersSent, memberOf } from './campaign-member-status.js';
import {
  type CampaignMember, type CampaignMemberStatusInput, type CampaignResponseInput, type EnrollInput, type EnrollResult,
  enrollInputSchema, type MarkSentOptions, markSentSchema, memberStatusInputSchema, responseInputSchema,
} from './campaign-member.schema.js';
import { type CampaignReport, type CampaignReportOptions, campaignReport, campaignReportOptionsSchema } from './campaign-report.js';
import {
  type Campaign, type CampaignInput, campaignInputSchema, type CampaignPatch, campaignPatchSchema, type CampaignStatus,
  campaignStatuses, campaignTransitions,
} from './campaign.schema.js';

/** What `campaigns.recordResponse` recorded. */
export interface CampaignResponse {
  /** The inbound interaction, tied to the campaign by `campaignId`. */
  interaction: Interaction;
  /** The member, now `responded` (or further along already). */
  member: CampaignMember;
}

const statusSchema = z.enum(campaignStatuses);

/**
 * Marketing campaigns: a channel, a budget and a cost, dates and a status,
 * and the contacts enrolled in it with where each stands (targeted, sent,
 * opened, responded, converted, unsubscribed). Enrolment honours the
 * contact's consent; responses are inbound interactions tied to the campaign;
 * `report` credits orders and won deals to campaigns by a stated rule.
 * Sending is the host's (or a workflow's): this service records what happened.
 * Reached as `crm.tenant(id).campaigns`.
 */
export class CampaignsService extends RecordService<NonNullable<(typeof campaignModel)['rowType']>, Campaign> {
  readonly #members: EntityStore<NonNullable<(typeof campaignMemberModel)['rowType']>, CampaignMember>;

  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, campaignEntity);
    this.#members = new EntityStore(ctx, campaignMemberEntity);
  }

  /**
   * Creates a campaign, in `draft`. With an `idempotencyKey`, a repeated
   * create returns the campaign the first one made.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown owner
   * @example
   * const spring = await t.campaigns.create({ name: 'Spring sale', channel: 'email', budget: { minor: 500_000, currency: 'EUR' }, cost: { minor: 120_000, currency: 'EUR' }, startsOn: '2026-03-01', endsOn: '2026-03-31' });
   */
  async create(input: CampaignInput, options?: CreateOptions): Promise<Campaign> {
    const data = parseInput(campaignInputSchema, input, 'campaign');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    return createOnce(this.store, idempotencyKey, async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const campaign = await this.store.insert(w, {
        name: data.name, description: data.description ?? null, channel: data.channel, status: 'draft',
        budget: data.budget ?? null, cost: data.cost ?? { minor: 0, currency: data.budget?.currency ?? 'USD' },
        startsOn: data.startsOn ?? null, endsOn: data.endsOn ?? null, activatedAt: null, closedAt: null,
        externalId: data.externalId ?? null, idempotencyKey: idempotencyKey ?? null,
        ...ownedDefaults(this.ctx, 'campaign', data),
      });
      w.emit('campaign.created', { record: campaign });
      return campaign;
    });
  }

  /**
   * Changes a campaign's details, its budget and cost (the cost grows as it is spent).
   * @throws {ValidationError} for an end before the start @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: CampaignPatch, options?: WriteOptions): Promise<Campaign> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    const data = parseInput(campaignPatchSchema, patch, 'campaign patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { custom, ...rest } = data;
      const { after, changes } = await this.store.patch(w, campaignId, (before) => {
        const next = { ...defined(rest), ...defined({ custom: mergedCustom(this.ctx, 'campaign', before.custom, custom) }) };
        const startsOn = next.startsOn === undefined ? before.startsOn : next.startsOn;
        const endsOn = next.endsOn === undefined ? before.endsOn : next.endsOn;
        if (startsOn && endsOn && endsOn < startsOn) throw ValidationError.single('A campaign cannot end before it starts', ['endsOn']);
        return next;
      }, expectedVersion);
      if (changes.length > 0) w.emit('campaign.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Moves a campaign along `campaignTransitions`: draft to active or
   * cancelled, active to completed or cancelled. Setting the status it has
   * changes nothing.
   * @throws {StateError} for a move the transitions do not allow @throws {NotFoundError}
   * @example
   * await t.campaigns.setStatus(spring.id, 'active');
   */
  async setStatus(id: string, status: CampaignStatus): Promise<Campaign> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    const to = parseInput(statusSchema, status, 'campaign status');
    return this.ctx.write(async (w) => {
      const { before, after, changes } = await this.store.patch(w, campaignId, (current): Partial<Campaign> => {
        if (current.status === to) return {};
        if (!campaignTransitions[current.status].includes(to)) throw new StateError(`Campaign ${campaignId} cannot go from ${current.status} to ${to}`);
        return to === 'active' ? { status: to, activatedAt: w.now } : { status: to, closedAt: w.now };
      });
      if (changes.length > 0) w.emit('campaign.statusChanged', { record: after, from: before.status, to });
      return after;
    });
  }

  /**
   * Enrols contacts: a list of ids, a where-tree over contacts, or a
   * segment's stored members, in batches of 500 (one transaction each), so
   * memory stays flat however large the audience. Idempotent: a contact is
   * a member once, and enrolling again counts them as `alreadyEnrolled`.
   * A contact whose consent on the campaign's channel is `denied` is skipped
   * and counted as `optedOut`; with `requireConsent`, one without `granted`
   * consent is skipped as `noConsent`; with `preferredChannelOnly`, one
   * who prefers another channel is skipped as `prefersOther`. An acting
   * member needs `update` on the campaign; ids and `where` reach the contacts
   * they may read (others count as `unknown`), a segment all its members.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown campaign or segment
   * @throws {ForbiddenError} for an actor who may read the campaign but not update it
   * @throws {StateError} for a completed or cancelled campaign
   * @example
   * const { enrolled, optedOut } = await t.campaigns.enroll(spring.id, { where: { lifecycleStage: 'customer', country: 'FR' } });
   * await t.campaigns.enroll(spring.id, { segmentId: lapsed.id });
   */
  async enroll(id: string, input: EnrollInput): Promise<EnrollResult> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    const data = parseInput(enrollInputSchema, input, 'enrolment');
    await this.#assertWritable(campaignId);
    let audience: Audience;
    if (data.segmentId !== undefined) {
      await assertExists(this.ctx.storage, this.ctx, 'segment', data.segmentId);
      audience = segmentAudience(data.segmentId);
    } else if (data.where !== undefined) {
      audience = { where: data.where };
    } else {
      audience = { contactIds: [...new Set(data.contactIds)] };
    }
    return enrollAudience(this.ctx, campaignId, audience, { requireConsent: data.requireConsent, preferredChannelOnly: data.preferredChannelOnly, at: data.at });
  }

  /**
   * The members of a campaign, paged; `where` filters on member fields
   * (`status`, `sentAt`...).
   * @throws {ValidationError} @throws {NotFoundError}
   * @example
   * const page = await t.campaigns.members(spring.id, { where: { status: 'responded' }, limit: 100 });
   */
  async members(id: string, options?: ListOptions): Promise<Page<CampaignMember>> {
    const campaign = await this.get(id);
    return this.#members.list(parseInput(listOptionsSchema, options, 'list options'), { campaignId: campaign.id });
  }

  /**
   * Records that the campaign reached its `targeted` members (all, or the
   * listed contacts) at `at`, in batches. Returns how many were marked. An
   * acting member needs `update` on the campaign; without `contactIds` every
   * targeted member is marked, listed ones only when the member may read them.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ForbiddenError}
   */
  async markSent(id: string, options?: MarkSentOptions): Promise<number> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    const { contactIds, at } = parseInput(markSentSchema, options, 'mark sent options');
    await this.#assertWritable(campaignId);
    return markMembersSent(this.ctx, campaignId, contactIds, at);
  }

  /**
   * Moves one member forward: `sent`, `opened`, `responded`, `converted` or
   * `unsubscribed` (which also denies the contact's consent on the channel).
   * The status only moves forward: an earlier one than the member's only
   * records its timestamp when the member has none, so late or repeated
   * delivery reports never move it back.
   * @throws {ValidationError} @throws {NotFoundError} for a contact that is no member
   * @example
   * await t.campaigns.setMemberStatus(spring.id, { contactId: ada.id, status: 'opened', at: '2026-03-03T10:00:00Z' });
   */
  async setMemberStatus(id: string, input: CampaignMemberStatusInput): Promise<CampaignMember> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    const data = parseInput(memberStatusInputSchema, input, 'member status');
    return this.ctx.write(async (w) => {
      await this.#assertWritable(campaignId, w.systemTx);
      return advanceMember(w, await memberOf(w, campaignId, data.contactId), data.status, data.at ?? w.now);
    });
  }

  /**
   * Records a member's response: an inbound interaction tied to the campaign
   * (`interaction.campaignId`, on the contact's timeline), and the member
   * `responded` at its time, in one transaction. The one path of a campaign
   * response: `interactions.log` takes no `campaignId`. With an
   * `idempotencyKey` a repeated call returns what the first one recorded.
   * @throws {ValidationError} @throws {NotFoundError} for a contact that is no member of the campaign
   * @example
   * await t.campaigns.recordResponse(spring.id, { contactId: ada.id, type: 'email', subject: 'Re: Spring sale' }, { idempotencyKey: messageId });
   */
  async recordResponse(id: string, input: CampaignResponseInput, options?: CreateOptions): Promise<CampaignResponse> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    const data = parseInput(responseInputSchema, input, 'campaign response');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    const interactions = new EntityStore(this.ctx, interactionEntity);
    const interaction = await createOnce(interactions, idempotencyKey, async (w) => {
      await this.#assertWritable(campaignId, w.systemTx);
      const member = await memberOf(w, campaignId, data.contactId);
      const contact = await new EntityStore(this.ctx, contactEntity).get(data.contactId, w.tx);
      const occurredAt = data.occurredAt ?? w.now;
      // The response is the customer's, owned by nobody: storing it is what recording a response implies
      // (checked above: the campaign's update, the member and contact readable), not a create of the actor's.
      const logged = await insertInteraction(w.asSystem(), {
        type: data.type, direction: 'inbound', channel: data.channel ?? null, subject: data.subject ?? null, body: data.body ?? null,
        occurredAt, durationSeconds: null, outcome: null, contactIds: [data.contactId], memberIds: [],
        companyId: contact.companyId, dealId: null, caseId: null, campaignId, messageId: null, idempotencyKey: idempotencyKey ?? null,
        ...ownedDefaults(this.ctx, 'interaction', {}),
      });
      const advanced = await advanceMember(w, member, 'responded', occurredAt);
      if (advanced.responseInteractionId === null) await this.#members.patch(w, advanced.id, () => ({ responseInteractionId: logged.id }));
      return logged;
    });
    const member = await this.#members.first({ campaignId, contactId: data.contactId });
    return { interaction, member: member! };
  }

  /**
   * How the campaign did: reach, response and conversion rates, the orders
   * and won deals credited to it by the `attribution` rule within
   * `windowDays` of a send, revenue per currency, ROI and cost per
   * acquisition. Counted and summed in the database.
   * @throws {ValidationError} for invalid options @throws {NotFoundError}
   * @example
   * const r = await t.campaigns.report(spring.id, { attribution: 'lastTouch', windowDays: 30 });
   * console.log(r.reach, r.responseRate, r.conversionRate, r.revenue, r.roi, r.costPerAcquisition);
   */
  async report(id: string, options?: CampaignReportOptions): Promise<CampaignReport> {
    const campaignId = parseInput(idSchema, id, 'campaign id');
    return campaignReport(this.ctx, campaignId, parseInput(campaignReportOptionsSchema, options, 'report options'));
  }

  /**
   * Refuses changing the campaign's members unless the actor may update the
   * campaign: members are the campaign's (member rows have no owner of their own).
   * @throws {NotFoundError} for a campaign the actor may not read @throws {ForbiddenError}
   */
  async #assertWritable(campaignId: string, storage?: Storage): Promise<void> {
    if (storage === undefined) await this.store.get(campaignId);
    await this.ctx.assertAllowed(campaignEntity.model, campaignId, 'update', storage);
  }
}
