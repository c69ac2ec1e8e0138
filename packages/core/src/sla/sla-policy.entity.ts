import { defineEntity, sameShape } from '../entities/entity.js';
import { slaPolicyModel } from './sla-policy.model.js';
import type { SlaPolicy } from './sla.schema.js';

/** SLA policies: ordered, the first active match applies to a new case. */
export const slaPolicyEntity = defineEntity({
  name: 'slaPolicy', service: 'slaPolicies', model: slaPolicyModel,
  toRecord: (row): SlaPolicy => row, toRow: sameShape.toRow<SlaPolicy>,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});
