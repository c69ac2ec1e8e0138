import type { TenantContext } from '../common/context.js';
import { dealContactModel } from '../deals/deal.model.js';
import type { Where } from '../storage/where.js';

/**
 * The storage scopes audit entries by the record they name (an entry of a
 * contact the actor may not read is not there for them), for the records of
 * entities. One other row is audited: a deal's contact link (`dealContact`,
 * id `dealId:contactId`, when its role changes), which the storage lets
 * through. Of those, the actor sees the entries of links that still exist on
 * a deal they may read (the storage scopes the semi-join). `undefined` when
 * nothing restricts them. (Changes of hidden fields are taken out of the
 * entries by the field rules, see access/field-strip.ts.)
 */
export async function auditScope(ctx: TenantContext): Promise<Where | undefined> {
  const policy = await ctx.policy();
  if (policy === null || policy.scope(dealContactModel.name, 'read') === null) return undefined;
  return { or: [{ entity: { ne: dealContactModel.name } }, { recordId: { inQuery: { model: dealContactModel, field: 'id' } } }] };
}
