import type { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { assetEntity } from '../assets/asset.entity.js';
import { assetInputSchema, assetPatchSchema } from '../assets/asset.schema.js';
import { caseEntity } from '../cases/case.entity.js';
import { caseInputSchema, casePatchSchema } from '../cases/case.schema.js';
import { companyEntity } from '../companies/company.entity.js';
import { companyInputSchema, companyPatchSchema } from '../companies/company.schema.js';
import { contactEntity } from '../contacts/contact.entity.js';
import { createContacts, type ParsedContact, type PreparedContact, prepareContact } from '../contacts/contact-create.js';
import { contactInputSchema, contactPatchSchema } from '../contacts/contact.schema.js';
import { dealEntity } from '../deals/deal.entity.js';
import { dealInputSchema, dealPatchSchema } from '../deals/deal.schema.js';
import { interactionEntity } from '../interactions/interaction.entity.js';
import { interactionInputSchema, interactionPatchSchema } from '../interactions/interaction.schema.js';
import { orderEntity } from '../orders/order.entity.js';
import { orderInputSchema, orderPatchSchema } from '../orders/order.schema.js';
import { productEntity } from '../products/product.entity.js';
import { productInputSchema, productPatchSchema } from '../products/product.schema.js';
import { consentSource } from '../privacy/consent-changes.js';
import type { ModelDefinition } from '../storage/schema.js';
import { taskEntity } from '../tasks/task.entity.js';
import { taskInputSchema, taskPatchSchema } from '../tasks/task.schema.js';
import type { TenantScope } from '../tenant-scope.js';
import type { ImportEntity, ReferenceKind } from './import.schema.js';

/** A service input as the importer builds it; a service call parses it again, as for any caller (bulk creates excepted). */
type Input = Record<string, unknown>;

/** Where the id a reference resolves to goes: a field, or one more element of a list field. */
export interface ReferenceTarget {
  field: string;
  many?: boolean;
}

/**
 * How one entity is imported: its service's own create and patch schemas (rows are
 * validated with exactly what the service accepts), the keys it can be matched on,
 * the references its columns may name, and its service's write paths.
 */
export interface ImportTarget {
  entity: ImportEntity;
  model: ModelDefinition;
  input: z.ZodType;
  patch: z.ZodType;
  customizable: boolean;
  /** Fields upsert and update mode may match on (stored, and compared after the same normalisation). */
  keys: readonly string[];
  references: Partial<Record<ReferenceKind, ReferenceTarget>>;
  /** Whether `lines[].sku` names the product of a line (orders, deals). */
  lineSkus: boolean;
  create(scope: TenantScope, input: Input): Promise<unknown>;
  /**
   * The service's bulk create, when it has one, split where the import needs it.
   * `prepare` is the service's normalisation of one input `input` has parsed
   * (phones, defaults, custom fields; it throws a CrmError for what only the
   * service refuses), run once per row while rows are validated, so that such a
   * row is reported alone; `createMany` writes prepared rows, all or nothing,
   * and parses and normalises nothing again. Creates then go through it
   * instead of `create`.
   */
  bulk?: {
    prepare(ctx: TenantContext, parsed: unknown): unknown;
    createMany(ctx: TenantContext, prepared: unknown[]): Promise<unknown>;
  };
  update(scope: TenantScope, id: string, patch: Input): Promise<unknown>;
}

const company = { 'company.domain': { field: 'companyId' }, 'company.name': { field: 'companyId' } } as const;
const owner = { 'owner.email': { field: 'ownerId' } } as const;

// The casts below hand a row the importer has validated with the very schema the service
// parses with: the service calls parse it again, the bulk path takes the parsed and
// prepared value itself, so nothing unchecked reaches storage.
const targetList: ImportTarget[] = [
  {
    entity: 'contact', model: contactEntity.model as ModelDefinition, input: contactInputSchema, patch: contactPatchSchema,
    customizable: true, keys: ['externalId', 'email', 'phone'], references: { ...company, ...owner }, lineSkus: false,
    create: (s, i) => s.contacts.create(i as never),
    bulk: {
      prepare: (ctx, parsed) => prepareContact(ctx, parsed as ParsedContact),
      // The import passes no consent source: consent in a file is recorded as `contacts.createMany` records it.
      createMany: (ctx, prepared) => createContacts(ctx, prepared as PreparedContact[], (p) => p, consentSource(undefined)),
    },
    update: (s, id, p) => s.contacts.update(id, p as never),
  },
  {
    entity: 'company', model: companyEntity.model as ModelDefinition, input: companyInputSchema, patch: companyPatchSchema,
    customizable: true, keys: ['externalId', 'domain', 'name'], references: { ...owner }, lineSkus: false,
    create: (s, i) => s.companies.create(i as never),
    update: (s, id, p) => s.companies.update(id, p as never),
  },
  {
    entity: 'deal', model: dealEntity.model as ModelDefinition, input: dealInputSchema, patch: dealPatchSchema,
    customizable: true, keys: ['externalId'], lineSkus: true,
    references: { ...company, ...owner, 'contact.email': { field: 'contactIds', many: true }, 'pipeline.name': { field: 'pipelineId' }, 'stage.key': { field: 'stage' } },
    create: (s, i) => s.deals.create(i as never),
    update: (s, id, p) => s.deals.update(id, p as never),
  },
  {
    entity: 'order', model: orderEntity.model as ModelDefinition, input: orderInputSchema, patch: orderPatchSchema,
    customizable: true, keys: ['externalId', 'number'], lineSkus: true,
    references: { ...company, ...owner, 'contact.email': { field: 'contactId' } },
    create: (s, i) => s.orders.create(i as never),
    update: (s, id, p) => s.orders.update(id, p as never),
  },
  {
    entity: 'product', model: productEntity.model as ModelDefinition, input: productInputSchema, patch: productPatchSchema,
    customizable: true, keys: ['sku', 'name'], references: { ...owner }, lineSkus: false,
    create: (s, i) => s.products.create(i as never),
    update: (s, id, p) => s.products.update(id, p as never),
  },
  {
    entity: 'asset', model: assetEntity.model as ModelDefinition, input: assetInputSchema, patch: assetPatchSchema,
    customizable: true, keys: ['externalId', 'serialNumber'], lineSkus: false,
    references: { ...company, ...owner, 'contact.email': { field: 'contactId' }, 'product.sku': { field: 'productId' } },
    create: (s, i) => s.assets.create(i as never),
    update: (s, id, p) => s.assets.update(id, p as never),
  },
  {
    entity: 'case', model: caseEntity.model as ModelDefinition, input: caseInputSchema, patch: casePatchSchema,
    customizable: true, keys: ['externalId'], lineSkus: false,
    references: { ...company, ...owner, 'contact.email': { field: 'contactId' } },
    create: (s, i) => s.cases.create(i as never),
    update: (s, id, p) => s.cases.update(id, p as never),
  },
  {
    entity: 'interaction', model: interactionEntity.model as ModelDefinition, input: interactionInputSchema, patch: interactionPatchSchema,
    customizable: true, keys: [], lineSkus: false,
    references: { ...company, ...owner, 'contact.email': { field: 'contactIds', many: true } },
    create: (s, i) => s.interactions.log(i as never),
    update: (s, id, p) => s.interactions.update(id, p as never),
  },
  {
    entity: 'task', model: taskEntity.model as ModelDefinition, input: taskInputSchema, patch: taskPatchSchema,
    customizable: true, keys: [], lineSkus: false,
    references: { ...owner, 'assignee.email': { field: 'assigneeId' } },
    create: (s, i) => s.tasks.create(i as never),
    update: (s, id, p) => s.tasks.update(id, p as never),
  },
];

/** The import target of each importable entity. */
export const importTargets = new Map<ImportEntity, ImportTarget>(targetList.map((t) => [t.entity, t]));
