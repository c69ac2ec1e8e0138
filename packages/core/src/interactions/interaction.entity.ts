import { defineEntity, sameShape } from '../entities/entity.js';
import { interactionModel } from './interaction.model.js';
import type { Interaction } from './interaction.schema.js';

/** Calls, emails, meetings and notes. */
export const interactionEntity = defineEntity({
  name: 'interaction', service: 'interactions', model: interactionModel,
  toRecord: (row): Interaction => row, toRow: sameShape.toRow<Interaction>,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: true,
});
