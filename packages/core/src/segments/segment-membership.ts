import type { WriteScope } from '../common/context.js';
import { combine } from '../common/entity-store.js';
import { newId } from '../common/ids.js';
import { contactModel } from '../contacts/contact.model.js';
import { NotFoundError } from '../errors.js';
import type { Where } from '../storage/where.js';
import { segmentMemberModel } from './segment.model.js';
import type { Segment, SegmentRef } from './segment.schema.js';

/** Contacts read per statement by a refresh: bounds its memory to two pages of ids. */
export const refreshBatch = 1000;

/** The contacts stored as members of a segment (contacts deleted since are not among them). */
export function storedMembers(segmentId: string): Where {
  return { id: { inQuery: { model: segmentMemberModel, field: 'contactId', where: { segmentId } } } };
}

/** The segment as events carry it. */
export function segmentRef(segment: Segment): SegmentRef {
  return { id: segment.id, name: segment.name, kind: segment.kind };
}

function memberRows(w: WriteScope, segmentId: string, contactIds: readonly string[]) {
  return contactIds.map((contactId) => ({ id: newId(), createdAt: w.now, updatedAt: w.now, segmentId, contactId, addedAt: w.now }));
}

/** Stores and announces contacts entering and leaving, in the running write. */
async function apply(w: WriteScope, segment: Segment, entered: readonly string[], left: readonly string[]): Promise<void> {
  const tenantId = w.ctx.tenantId;
  const ref = segmentRef(segment);
  if (left.length > 0) {
    await w.tx.deleteMany({ model: segmentMemberModel, tenantId, where: { segmentId: segment.id, contactId: { in: left } } });
    for (const contactId of left) w.emit('segment.left', { segment: ref, contactId });
  }
  if (entered.length > 0) {
    await w.tx.createMany({ model: segmentMemberModel, tenantId, rows: memberRows(w, segment.id, entered) });
    for (const contactId of entered) w.emit('segment.entered', { segment: ref, contactId });
  }
}

const above = (field: string, lower: string | undefined, upper: string | undefined): Where => {
  if (lower === undefined && upper === undefined) return {};
  return { [field]: { ...(lower === undefined ? {} : { gt: lower }), ...(upper === undefined ? {} : { lte: upper }) } };
};

/**
 * Makes the stored membership of `segment` the contacts matching `where`,
 * emitting `segment.entered` / `segment.left` for the difference, in the
 * running write. A merge of two streams in contact id order, a window at a
 * time: a page of matching contacts after the last window, and the stored
 * members up to its last id (if those fill a page, the window ends at the
 * last stored one and the contacts are read again up to it). Each window is
 * complete on both sides, so its difference is two set differences of at
 * most one page each. Ids are only ever compared by the database (`gt`,
 * `lte`), in the one collation both columns share; JavaScript only tests
 * equality, so the merge holds for any id the database stores.
 */
export async function diffMembership(w: WriteScope, segment: Segment, where: Where, batch = refreshBatch): Promise<{ entered: number; left: number }> {
  const tenantId = w.ctx.tenantId;
  const matching = (lower: string | undefined, upper: string | undefined) =>
    w.tx.findMany({ model: contactModel, tenantId, where: combine(where, above('id', lower, upper)), limit: batch, select: ['id'] });
  let entered = 0;
  let left = 0;
  let lower: string | undefined;
  for (;;) {
    let fresh = (await matching(lower, undefined)).map((row) => row.id);
    let upper = fresh.length === batch ? fresh[batch - 1] : undefined;
    const stored = (
      await w.tx.findMany({
        model: segmentMemberModel, tenantId, where: { segmentId: segment.id, ...above('contactId', lower, upper) },
        orderBy: [{ field: 'contactId' }], limit: batch, select: ['contactId'],
      })
    ).map((row) => row.contactId);
    if (stored.length === batch && stored[batch - 1] !== upper) {
      upper = stored[batch - 1];
      fresh = (await matching(lower, upper)).map((row) => row.id);
    }
    const now = new Set(fresh);
    const before = new Set(stored);
    const joining = fresh.filter((id) => !before.has(id));
    const leaving = stored.filter((id) => !now.has(id));
    await apply(w, segment, joining, leaving);
    entered += joining.length;
    left += leaving.length;
    // Outbox and audit rows go to the database now, not at commit.
    await w.unit.flush();
    if (upper === undefined) return { entered, left };
    lower = upper;
  }
}

/**
 * Adds contacts to a static list, in the running write: those not in it yet
 * enter it (one `segment.entered` each).
 * @throws {NotFoundError} for a contact the tenant does not have
 */
export async function addMembers(w: WriteScope, segment: Segment, contactIds: readonly string[]): Promise<number> {
  const tenantId = w.ctx.tenantId;
  const found = await w.tx.findMany({ model: contactModel, tenantId, where: { id: { in: contactIds } }, select: ['id'] });
  const known = new Set(found.map((row) => row.id));
  const missing = contactIds.find((id) => !known.has(id));
  if (missing !== undefined) throw new NotFoundError('contact', missing);
  const already = await w.tx.findMany({
    model: segmentMemberModel, tenantId, where: { segmentId: segment.id, contactId: { in: contactIds } }, select: ['contactId'],
  });
  const inList = new Set(already.map((row) => row.contactId));
  const joining = contactIds.filter((id) => !inList.has(id));
  await apply(w, segment, joining, []);
  return joining.length;
}

/** Removes contacts from a static list, in the running write: those in it leave (one `segment.left` each). */
export async function removeMembers(w: WriteScope, segment: Segment, contactIds: readonly string[]): Promise<number> {
  const present = await w.tx.findMany({
    model: segmentMemberModel, tenantId: w.ctx.tenantId, where: { segmentId: segment.id, contactId: { in: contactIds } }, select: ['contactId'],
  });
  const leaving = present.map((row) => row.contactId);
  await apply(w, segment, [], leaving);
  return leaving.length;
}
