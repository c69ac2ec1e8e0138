import type { TenantContext, WriteScope } from '../common/context.js';
import { dealContactModel } from './deal.model.js';

/** A contact of a deal and the part it plays in it. */
export interface DealContact {
  contactId: string;
  /** `champion`, `decision maker`, `billing`... as the host names them; null when none was given. */
  role: string | null;
  /** When the contact was linked to the deal. */
  addedAt: string;
}

/** The link row of a contact on a deal; its id is the pair, so a contact is linked at most once. */
export function linkRow(w: WriteScope, dealId: string, contactId: string, role: string | null) {
  return { id: `${dealId}:${contactId}`, createdAt: w.now, updatedAt: w.now, dealId, contactId, role };
}

/** The contacts of a deal with their roles, oldest link first. */
export async function dealContactsOf(ctx: TenantContext, dealId: string): Promise<DealContact[]> {
  const rows = await ctx.storage.findMany({
    model: dealContactModel, tenantId: ctx.tenantId, where: { dealId }, orderBy: [{ field: 'createdAt' }],
  });
  return rows.map((row) => ({ contactId: row.contactId, role: row.role, addedAt: row.createdAt }));
}
