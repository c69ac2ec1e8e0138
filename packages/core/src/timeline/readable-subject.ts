import type { TenantContext } from '../common/context.js';
import { assertExists } from '../common/references.js';
import type { EntityName } from '../entities/registry.js';

/**
 * Refuses a view about a record the acting member may not read (a timeline,
 * the deals of a contact): the view's entries may each be readable, but
 * together they tell who the hidden record deals with. For the system scope,
 * and without `createCrm({ access })`, nothing is checked, and a view of a
 * record that does not exist stays empty as it always was.
 * @throws {NotFoundError} naming the record, as for a record that does not exist
 */
export async function assertReadableSubject(ctx: TenantContext, entity: EntityName, id: string): Promise<void> {
  if (ctx.access === null) return;
  await assertExists(ctx.storage, ctx, entity, id);
}
