import { companyEntity } from '../companies/company.entity.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { dealEntity } from '../deals/deal.entity.js';
import { interactionEntity } from '../interactions/interaction.entity.js';
import { memberEntity, teamEntity } from '../members/member.entity.js';
import { pipelineEntity, stageEntity } from '../pipelines/pipeline.entity.js';
import { productEntity } from '../products/product.entity.js';
import { orderEntity } from '../orders/order.entity.js';
import { assetEntity } from '../assets/asset.entity.js';
import { contractEntity } from '../contracts/contract.entity.js';
import { surveyEntity } from '../surveys/survey.entity.js';
import { segmentEntity } from '../segments/segment.entity.js';
import { caseEntity } from '../cases/case.entity.js';
import { slaPolicyEntity } from '../sla/sla-policy.entity.js';
import { taskEntity } from '../tasks/task.entity.js';
import { campaignEntity } from '../campaigns/campaign.entity.js';
import { roleEntity } from '../access/role.entity.js';
import type { EntityDefinition, EntityFlags } from './entity.js';

/**
 * Every entity of the CRM by name: the one place that says which records
 * exist and what they allow. References, task links, custom fields, the
 * timeline and workflow effects look entities up here.
 */
export const entities = {
  member: memberEntity,
  team: teamEntity,
  company: companyEntity,
  contact: contactEntity,
  product: productEntity,
  pipeline: pipelineEntity,
  stage: stageEntity,
  deal: dealEntity,
  interaction: interactionEntity,
  task: taskEntity,
  order: orderEntity,
  asset: assetEntity,
  contract: contractEntity,
  survey: surveyEntity,
  segment: segmentEntity,
  slaPolicy: slaPolicyEntity,
  case: caseEntity,
  campaign: campaignEntity,
  role: roleEntity,
} as const;

/** The name of an entity of the registry. */
export type EntityName = keyof typeof entities;

/** The record type of an entity of the registry. */
export type EntityRecord<N extends EntityName> = ReturnType<(typeof entities)[N]['toRecord']>;

/** The fields every entity's row has. */
export interface EntityRow {
  tenantId: string;
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** The entity with this name, or undefined: the check behind every reference by type (task links, subjects). */
export function entityNamed(name: string): EntityDefinition<EntityRow> | undefined {
  return Object.hasOwn(entities, name) ? (entities[name as EntityName] as EntityDefinition<EntityRow>) : undefined;
}

/** The names of the entities whose flag is set. */
export type EntitiesWhere<F extends keyof EntityFlags> = { [K in EntityName]: (typeof entities)[K][F] extends true ? K : never }[EntityName];

/** The names of the entities whose flag is set, in registry order. */
export function entitiesWhere<F extends keyof EntityFlags>(flag: F): EntitiesWhere<F>[] {
  return (Object.keys(entities) as EntityName[]).filter((name) => entities[name][flag]) as EntitiesWhere<F>[];
}
