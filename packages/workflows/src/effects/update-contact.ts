import type { ContactPatch } from '@crmkit/core';
import type { EffectContext } from './effect.js';
import { subjectId } from './subject-id.js';

/** Params of the built-in `updateContact` effect. */
export interface UpdateContactParams extends Record<string, unknown> {
  /** @default the instance's subject, when it is a contact */
  contactId?: string;
  /** The change, as `contacts.update` takes it (e.g. `{ lifecycleStage: 'mql' }`). */
  patch: ContactPatch;
}

/** Built-in `updateContact`: applies a patch to a contact. A retry applies the same patch again, which changes nothing. */
export async function updateContact(ctx: EffectContext<UpdateContactParams>): Promise<void> {
  await ctx.tenant.contacts.update(subjectId(ctx, 'contact', ctx.params.contactId), ctx.params.patch);
}
