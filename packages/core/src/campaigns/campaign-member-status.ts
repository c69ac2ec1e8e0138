import type { TenantContext, WriteScope } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { NotFoundError } from '../errors.js';
import { campaignMemberEntity } from './campaign.entity.js';
import { campaignMemberModel } from './campaign.model.js';
import { type CampaignMember, type CampaignMemberStatus, campaignMemberStatuses } from './campaign-member.schema.js';

const rank = (status: CampaignMemberStatus): number => campaignMemberStatuses.indexOf(status);

const stampOf: Record<Exclude<CampaignMemberStatus, 'targeted'>, keyof CampaignMember> = {
  sent: 'sentAt', opened: 'openedAt', responded: 'respondedAt', converted: 'convertedAt', unsubscribed: 'unsubscribedAt',
};

/** The member of `contactId` in the campaign, locked for the write. @throws {NotFoundError} */
export async function memberOf(w: WriteScope, campaignId: string, contactId: string): Promise<CampaignMember> {
  const [row] = await w.tx.findMany({ model: campaignMemberModel, tenantId: w.ctx.tenantId, where: { campaignId, contactId }, limit: 1, select: ['id'] });
  if (row === undefined) throw new NotFoundError('campaignMember', `${campaignId}:${contactId}`);
  return new EntityStore(w.ctx, campaignMemberEntity).get(row.id, w.tx, true);
}

/**
 * Records that a member reached `status` at `at`: the one path of every
 * member status change. The status only moves forward and `unsubscribed` is
 * final, so late or repeated webhooks never move it back; the status's
 * timestamp is set when the member has none, even out of order (an open
 * reported after the response still counts as an open), and never
 * overwritten. A member that opened, responded or converted without a
 * recorded send gets `sentAt` too: it was reached, and reach counts
 * `sentAt`. Unsubscribing is an opt-out: the contact's consent on the
 * campaign's channel becomes `denied`, so no later campaign enrols them there.
 */
export async function advanceMember(w: WriteScope, member: CampaignMember, status: Exclude<CampaignMemberStatus, 'targeted'>, at: string): Promise<CampaignMember> {
  const forward = member.status !== 'unsubscribed' && rank(status) > rank(member.status);
  const stamp = stampOf[status];
  const changes: Partial<CampaignMember> = forward ? { status } : {};
  if (member[stamp] === null) Object.assign(changes, { [stamp]: at });
  if (member.sentAt === null && status !== 'unsubscribed') changes.sentAt = at;
  if (Object.keys(changes).length === 0) return member;
  const { after } = await new EntityStore(w.ctx, campaignMemberEntity).patch(w, member.id, () => changes);
  if (forward) w.emit('campaign.memberStatusChanged', { record: after, from: member.status, to: status });
  if (forward && status === 'unsubscribed') await optOut(w, member);
  return after;
}

/**
 * Denies the member's consent on the campaign's channel. System work: an
 * unsubscribe must reach the contact whoever records it (the actor may change
 * the campaign, not necessarily the contact), or they would be mailed again.
 */
async function optOut(actorWrite: WriteScope, member: CampaignMember): Promise<void> {
  const w = actorWrite.asSystem();
  const contacts = new EntityStore(w.ctx, contactEntity);
  // A contact erased since enrolment has no consent to keep.
  if ((await contacts.find(member.contactId, w.tx, true)) === undefined) return;
  const { after, changes } = await contacts.patch(w, member.contactId, (before) => ({ consent: { ...before.consent, [member.channel]: 'denied' } }));
  if (changes.length > 0) w.emit('contact.updated', { record: after, changes });
}

// Members per `markSent` transaction, as for enrolment.
const sentBatchSize = 500;

/**
 * Marks `targeted` members `sent` at `at`, a batch per transaction; only the
 * listed contacts when `contactIds` is given. Members past `targeted` keep
 * their send. Returns how many were marked.
 */
export async function markMembersSent(ctx: TenantContext, campaignId: string, contactIds: string[] | undefined, at: string | undefined): Promise<number> {
  const chunks = contactIds === undefined ? [undefined] : chunk(contactIds, sentBatchSize);
  let marked = 0;
  for (const ids of chunks) {
    for (;;) {
      const done = await ctx.write(async (w) => {
        const sentAt = at ?? w.now;
        // The whole campaign went out to everyone it enrolled (a segment's hidden members too): system work once
        // the actor may update the campaign. Listed contacts are the actor's references: only those they may read.
        const tx = ids === undefined ? w.systemTx : w.tx;
        const members = await tx.findMany({
          model: campaignMemberModel, tenantId: ctx.tenantId,
          where: { campaignId, status: 'targeted', ...(ids ? { contactId: { in: ids } } : {}) },
          orderBy: [{ field: 'contactId' }], limit: sentBatchSize,
        });
        if (members.length === 0) return 0;
        await w.tx.updateMany({ model: campaignMemberModel, tenantId: ctx.tenantId, where: { id: { in: members.map((m) => m.id) }, status: 'targeted' }, data: { status: 'sent', sentAt, updatedAt: w.now } });
        for (const m of members) {
          w.emit('campaign.memberStatusChanged', { record: { ...m, status: 'sent', sentAt, updatedAt: w.now, version: m.version + 1 }, from: 'targeted', to: 'sent' });
        }
        return members.length;
      });
      marked += done;
      if (done < sentBatchSize) break;
    }
  }
  return marked;
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
