import { defineEntity, sameShape } from '../entities/entity.js';
import { surveyModel } from './survey.model.js';
import type { Survey } from './survey.schema.js';

/** Satisfaction surveys (CSAT, NPS) and their answers. */
export const surveyEntity = defineEntity({
  name: 'survey', service: 'surveys', model: surveyModel,
  toRecord: (row): Survey => row, toRow: sameShape.toRow<Survey>,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});
