/**
 * Field access shared by the standard machines: the same rules as the core's
 * stage gates (`deals.moveToStage(id, stage, { requiredFields })`), so guards
 * stay pure and agree with what the CRM enforces.
 */
export { fieldValue, isFilled, missingFields } from '@crmkit/core';
