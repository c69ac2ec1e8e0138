import { auditModel } from './audit/audit.model.js';
import { companyModel } from './companies/company.model.js';
import { contactModel } from './contacts/contact.model.js';
import { dealContactModel, dealModel, stageChangeModel } from './deals/deal.model.js';
import { eventModel } from './events/event.model.js';
import { interactionContactModel, interactionModel } from './interactions/interaction.model.js';
import { memberModel, teamModel } from './members/member.model.js';
import { pipelineModel, stageModel } from './pipelines/pipeline.model.js';
import { productModel } from './products/product.model.js';
import { orderLineModel, orderModel } from './orders/order.model.js';
import { assetModel } from './assets/asset.model.js';
import { contractAssetModel, serviceContractModel } from './contracts/contract.model.js';
import { surveyModel } from './surveys/survey.model.js';
import { segmentMemberModel, segmentModel } from './segments/segment.model.js';
import { caseActivityModel, caseModel } from './cases/case.model.js';
import { caseSequenceModel } from './cases/case-sequence.model.js';
import { slaPolicyModel } from './sla/sla-policy.model.js';
import type { ModelDefinition } from './storage/schema.js';
import { taskModel, taskReminderModel } from './tasks/task.model.js';
import { campaignMemberModel, campaignModel } from './campaigns/campaign.model.js';
import { dealLineModel } from './deals/deal-lines.model.js';
import { rfmScoreModel } from './customers/rfm-scores.model.js';
import { importRunModel } from './import/import-run.model.js';
import { mergedRecordModel } from './merge/merged-record.model.js';
import { consentChangeModel, erasureModel } from './privacy/privacy.model.js';
import { roleModel, shareModel } from './access/role.model.js';

/**
 * Every model of the CRM core, by name. Adapters and tools read it; the
 * conformance suite and benchmarks use the real definitions from here.
 */
export const coreModels = {
  member: memberModel,
  team: teamModel,
  company: companyModel,
  contact: contactModel,
  product: productModel,
  pipeline: pipelineModel,
  stage: stageModel,
  deal: dealModel,
  dealContact: dealContactModel,
  stageChange: stageChangeModel,
  interaction: interactionModel,
  interactionContact: interactionContactModel,
  task: taskModel,
  taskReminder: taskReminderModel,
  order: orderModel,
  orderLine: orderLineModel,
  asset: assetModel,
  contract: serviceContractModel,
  contractAsset: contractAssetModel,
  slaPolicy: slaPolicyModel,
  case: caseModel,
  caseActivity: caseActivityModel,
  caseSequence: caseSequenceModel,
  auditEntry: auditModel,
  survey: surveyModel,
  segment: segmentModel,
  segmentMember: segmentMemberModel,
  event: eventModel,
  campaign: campaignModel,
  campaignMember: campaignMemberModel,
  dealLine: dealLineModel,
  rfmScore: rfmScoreModel,
  importRun: importRunModel,
  mergedRecord: mergedRecordModel,
  erasure: erasureModel,
  consentChange: consentChangeModel,
  role: roleModel,
  share: shareModel,
} as const satisfies Record<string, ModelDefinition>;
