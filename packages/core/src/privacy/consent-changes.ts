import type { WriteScope } from '../common/context.js';
import { newId } from '../common/ids.js';
import { type Consent, contactChannels } from '../contacts/contact.schema.js';
import type { NewRow } from '../storage/adapter.js';
import { parseInput } from '../common/zod-helpers.js';
import { consentChangeModel } from './privacy.model.js';
import { consentSourceSchema, type ConsentChange } from './privacy.schema.js';

type ConsentChangeRow = NonNullable<(typeof consentChangeModel)['rowType']>;

/** One contact's consent before and after a write. */
export interface ConsentTransition {
  contactId: string;
  /** `{}` for a contact being created. */
  from: Consent;
  to: Consent;
}

/**
 * The `source` option of a contact write, validated: 1 to 100 characters, `'api'` when left out.
 * @throws {ValidationError}
 */
export function consentSource(source: unknown): string {
  return parseInput(consentSourceSchema, source, 'consent source');
}

/**
 * Records every channel whose consent the writes changed, in the writes'
 * transaction: a consent change can never be stored without its record, nor
 * the record without the change. A write that changes no consent writes nothing.
 */
export async function recordConsentChanges(w: WriteScope, transitions: readonly ConsentTransition[], source: string): Promise<void> {
  const rows: NewRow<ConsentChangeRow>[] = [];
  for (const { contactId, from, to } of transitions) {
    for (const channel of contactChannels) {
      const before = from[channel] ?? null;
      const after = to[channel] ?? null;
      if (before === after) continue;
      rows.push({ id: newId(), createdAt: w.now, updatedAt: w.now, contactId, channel, from: before, to: after, at: w.now, source, actorId: w.ctx.actorId });
    }
  }
  if (rows.length > 0) await w.tx.createMany({ model: consentChangeModel, tenantId: w.ctx.tenantId, rows });
}

/** A stored consent change as callers see it. */
export function toConsentChange(row: ConsentChangeRow): ConsentChange {
  return { id: row.id, contactId: row.contactId, channel: row.channel, from: row.from, to: row.to, at: row.at, source: row.source, actorId: row.actorId };
}
