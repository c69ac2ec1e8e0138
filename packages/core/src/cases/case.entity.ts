import { defineEntity, sameShape } from '../entities/entity.js';
import { caseModel } from './case.model.js';
import type { Case } from './case.schema.js';

/** Cases: service requests with SLA clocks. */
export const caseEntity = defineEntity({
  name: 'case', service: 'cases', model: caseModel,
  toRecord: (row): Case => row, toRow: sameShape.toRow<Case>,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: true,
});
