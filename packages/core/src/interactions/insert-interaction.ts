import type { WriteScope } from '../common/context.js';
import { EntityStore, type NewRecord } from '../common/entity-store.js';
import { interactionEntity } from './interaction.entity.js';
import { interactionContactModel } from './interaction.model.js';
import type { Interaction } from './interaction.schema.js';

/**
 * Inserts an interaction with one participant link per contact (the indexed
 * path of the contact's timeline) and records `interaction.logged`, in the
 * running write: the one path of every new interaction, `interactions.log`
 * and the messages of cases alike. The caller has validated the record and
 * checked that what it references exists.
 */
export async function insertInteraction(w: WriteScope, record: NewRecord<Interaction>): Promise<Interaction> {
  // A contact or member named twice takes part once: the link ids would collide otherwise.
  const contactIds = [...new Set(record.contactIds)];
  const interaction = await new EntityStore(w.ctx, interactionEntity).insert(w, { ...record, contactIds, memberIds: [...new Set(record.memberIds)] });
  if (contactIds.length > 0) {
    const rows = contactIds.map((contactId) => ({
      id: `${interaction.id}:${contactId}`, createdAt: w.now, updatedAt: w.now, interactionId: interaction.id, contactId, occurredAt: record.occurredAt,
    }));
    await w.tx.createMany({ model: interactionContactModel, tenantId: w.ctx.tenantId, rows });
  }
  w.emit('interaction.logged', { record: interaction });
  return interaction;
}
