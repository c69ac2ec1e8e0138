import { entities, type EntityName } from '../entities/registry.js';
import { ForbiddenError } from '../errors.js';
import type { TenantContext } from '../common/context.js';
import { FieldView } from './field-view.js';

/**
 * Where a write method of a service takes the fields it writes: the entity,
 * the argument holding the input (an object, or an array of them with
 * `many`), the argument holding the record's id, and the fields the method
 * sets by itself (`deals.markWon` sets `status` and `stageId`).
 */
export interface InputSpec {
  readonly entity: EntityName;
  readonly action: 'create' | 'update';
  readonly input?: number;
  readonly many?: boolean;
  readonly id?: number;
  readonly sets?: readonly string[];
}

/** How every service names its writes: `create(input)`, `createMany(inputs)`, `update(id, patch)`, `upsert(input)`. */
function defaults(entity: EntityName): Record<string, InputSpec> {
  return {
    create: { entity, action: 'create', input: 0 },
    createMany: { entity, action: 'create', input: 0, many: true },
    update: { entity, action: 'update', id: 0, input: 1 },
    upsert: { entity, action: 'update', input: 0 },
  };
}

const status = ['status'] as const;

/** The writes that do not follow {@link defaults}, per service. */
const special: Record<string, Record<string, InputSpec>> = {
  interactions: { log: { entity: 'interaction', action: 'create', input: 0 } },
  surveys: {
    send: { entity: 'survey', action: 'create', input: 0 },
    respond: { entity: 'survey', action: 'update', id: 0, input: 1, sets: ['status', 'answeredAt'] },
  },
  deals: {
    moveToStage: { entity: 'deal', action: 'update', id: 0, sets: ['stageId', 'status'] },
    markWon: { entity: 'deal', action: 'update', id: 0, sets: ['stageId', 'status'] },
    markLost: { entity: 'deal', action: 'update', id: 0, sets: ['stageId', 'status', 'lostReason'] },
    addContact: { entity: 'deal', action: 'update', id: 0, sets: ['contactIds'] },
    removeContact: { entity: 'deal', action: 'update', id: 0, sets: ['contactIds'] },
  },
  cases: {
    assign: { entity: 'case', action: 'update', id: 0, input: 1 },
    setStatus: { entity: 'case', action: 'update', id: 0, sets: status },
    reopen: { entity: 'case', action: 'update', id: 0, sets: status },
  },
  orders: { setStatus: { entity: 'order', action: 'update', id: 0, sets: status } },
  assets: {
    setStatus: { entity: 'asset', action: 'update', id: 0, sets: status },
    replace: { entity: 'asset', action: 'create', input: 1 },
  },
  campaigns: { setStatus: { entity: 'campaign', action: 'update', id: 0, sets: status } },
  tasks: {
    complete: { entity: 'task', action: 'update', id: 0, sets: status },
    reopen: { entity: 'task', action: 'update', id: 0, sets: status },
  },
  contracts: {
    activate: { entity: 'contract', action: 'update', id: 0, sets: status },
    cancel: { entity: 'contract', action: 'update', id: 0, sets: status },
    lapse: { entity: 'contract', action: 'update', id: 0, sets: status },
  },
  pipelines: {
    rename: { entity: 'pipeline', action: 'update', id: 0, sets: ['name'] },
    addStage: { entity: 'stage', action: 'create', input: 1 },
    updateStage: { entity: 'stage', action: 'update', input: 2 },
  },
};

const specs = new Map<string, Record<string, InputSpec>>();

/** The write spec of `service.method`, if the method writes fields of an entity. */
export function inputSpec(service: string, method: string): InputSpec | undefined {
  let table = specs.get(service);
  if (table === undefined) {
    // The service's own entity: the first of the registry it serves (`pipelines` serves pipeline, then stage).
    const entity = (Object.keys(entities) as EntityName[]).find((name) => entities[name].service === service);
    table = { ...(entity === undefined ? {} : defaults(entity)), ...special[service] };
    specs.set(service, table);
  }
  return Object.hasOwn(table, method) ? table[method] : undefined;
}

/**
 * Refuses a call that would write a field hidden from or read-only for the
 * member: a field of its input, a `custom.<key>` inside the input's `custom`,
 * or a field the method sets by itself.
 * @throws {ForbiddenError} naming the field
 */
export function assertWritable(view: FieldView, spec: InputSpec, args: readonly unknown[]): void {
  const rules = view.rules(spec.entity);
  if (rules.size === 0) return;
  const id = spec.id === undefined || typeof args[spec.id] !== 'string' ? null : (args[spec.id] as string);
  const refuse = (field: string) => new ForbiddenError(spec.entity, spec.action, id, field);
  for (const field of spec.sets ?? []) if (rules.has(field)) throw refuse(field);
  if (spec.input === undefined) return;
  const given = args[spec.input];
  const inputs = spec.many === true ? (Array.isArray(given) ? given : []) : [given];
  for (const input of inputs) {
    for (const path of rules.keys()) if (valueAt(input, path) !== undefined) throw refuse(path);
  }
}

/** The value at a dotted path of an input, undefined when any step is missing. */
function valueAt(input: unknown, path: string): unknown {
  let value = input;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The same refusal for a write that does not go through a service of the
 * tenant scope, so that the field guard does not see it (the import's bulk
 * create of contacts): nothing for the system scope or a member without rules.
 * @throws {ForbiddenError} naming the field
 */
export async function assertInputWritable(
  ctx: TenantContext, entity: EntityName, action: 'create' | 'update', id: string | null, input: unknown,
): Promise<void> {
  const policy = await ctx.policy();
  if (policy === null) return;
  const view = FieldView.of(policy);
  if (view.any) assertWritable(view, { entity, action, input: 0, id: 1 }, [input, id]);
}
