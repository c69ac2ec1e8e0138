import { entities, type EntityName } from '../entities/registry.js';

/** A field of a model that names a record of a registry entity. */
export interface ParentLink {
  /** The field holding the parent's id. */
  readonly field: string;
  /** The parent's entity. */
  readonly entity: EntityName;
  /** Rows whose field is NULL stay visible (they have no such parent). @default false */
  readonly nullable?: boolean;
}

/**
 * How reads of one model are scoped to what an actor may see:
 * - `record`: the model of a registry entity, scoped by its owner fields,
 *   team fields and shares per the actor's levels, and by its parents;
 * - `child`: rows belonging to records of other entities (a deal's stage
 *   changes, an order's lines), visible when every parent is readable;
 * - `polymorphic`: rows naming any entity's record by type and id (audit
 *   entries, shares); an audit entry of a share is visible with the share.
 * Models not listed (outbox, idempotency keys, sequences, reminder queue,
 * import runs, merge redirects) are plumbing the services read for themselves.
 */
export type Protection =
  | { readonly kind: 'record'; readonly entity: EntityName; readonly ownerFields: readonly string[]; readonly teamFields: readonly string[]; readonly parents: readonly ParentLink[] }
  | { readonly kind: 'child'; readonly parents: readonly ParentLink[] }
  | { readonly kind: 'polymorphic'; readonly typeField: string; readonly idField: string };

/** Who owns a record beyond `ownerId`: the assignee of a task; the team a case is queued to. */
const ownership: Partial<Record<EntityName, { ownerFields?: string[]; teamFields?: string[]; parents?: ParentLink[] }>> = {
  task: { ownerFields: ['ownerId', 'assigneeId'] },
  case: { teamFields: ['teamId'] },
  // A survey answer is about a contact: whoever may not read the contact may not read its answers.
  survey: { parents: [{ field: 'contactId', entity: 'contact' }] },
};

const childModels: Record<string, ParentLink[]> = {
  dealContact: [{ field: 'dealId', entity: 'deal' }],
  stageChange: [{ field: 'dealId', entity: 'deal' }],
  dealLine: [{ field: 'dealId', entity: 'deal' }],
  interactionContact: [{ field: 'interactionId', entity: 'interaction' }],
  orderLine: [{ field: 'orderId', entity: 'order' }],
  contractAsset: [{ field: 'contractId', entity: 'contract' }],
  caseActivity: [{ field: 'caseId', entity: 'case' }],
  segmentMember: [{ field: 'segmentId', entity: 'segment' }, { field: 'contactId', entity: 'contact' }],
  campaignMember: [{ field: 'campaignId', entity: 'campaign' }, { field: 'contactId', entity: 'contact' }],
  rfmScore: [{ field: 'contactId', entity: 'contact' }],
  consentChange: [{ field: 'contactId', entity: 'contact' }],
  erasure: [{ field: 'contactId', entity: 'contact' }],
};

function build(): Map<string, Protection> {
  const map = new Map<string, Protection>();
  for (const name of Object.keys(entities) as EntityName[]) {
    const entity = entities[name];
    const extra = ownership[name] ?? {};
    map.set(entity.model.name, {
      kind: 'record', entity: name,
      ownerFields: extra.ownerFields ?? (entity.ownable ? ['ownerId'] : []),
      teamFields: extra.teamFields ?? [],
      parents: extra.parents ?? [],
    });
  }
  for (const [model, parents] of Object.entries(childModels)) map.set(model, { kind: 'child', parents });
  map.set('auditEntry', { kind: 'polymorphic', typeField: 'entity', idField: 'recordId' });
  // A share is visible with the record it shares (and its audit entries with it, see AccessPolicy).
  map.set('share', { kind: 'polymorphic', typeField: 'entity', idField: 'recordId' });
  return map;
}

let protections: Map<string, Protection> | undefined;

/** How reads of the model named `modelName` are scoped, if they are. */
export function protectionOf(modelName: string): Protection | undefined {
  protections ??= build();
  return protections.get(modelName);
}

/** The registry entity a model stores, if it stores one. */
export function entityOfModel(modelName: string): EntityName | undefined {
  const p = protectionOf(modelName);
  return p?.kind === 'record' ? p.entity : undefined;
}
