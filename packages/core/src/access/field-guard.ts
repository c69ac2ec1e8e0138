import type { TenantContext } from '../common/context.js';
import { brand, type EntityDefinition, entityOfRecord } from '../entities/entity.js';
import { entities, type EntityName, type EntityRow } from '../entities/registry.js';
import { visibleExportOptions } from '../export/export-columns.js';
import { assertWritable, inputSpec } from './field-inputs.js';
import { stripHidden } from './field-strip.js';
import { FieldView, isRegistryEntity } from './field-view.js';

/** Properties of the tenant scope that are no service: the event subscriptions, and the scope's plain values. */
const notServices = new Set(['events']);

/**
 * Puts field-level rules between an acting member and every service of
 * their tenant scope: each service property is replaced by a proxy whose
 * methods, when the member's roles rule any field,
 * - refuse before the call an input that writes a hidden or read-only field
 *   (`create`, `createMany`, `update`, `upsert` and the writes listed in
 *   field-inputs.ts), with `ForbiddenError(entity, action, id, field)`;
 * - strip hidden fields from the result, at any depth (field-strip.ts);
 * - leave hidden columns out of exports (`exports.stream` and `toWritable`,
 *   whose output is text, get their options narrowed instead).
 * Filters, orders and aggregates on hidden fields are refused below, in the
 * storage (`assertVisible`), where services' own queries go too. A member
 * without a field rule pays one cached lookup per call. The system scope and
 * CRMs without `access` are not wrapped.
 */
export function guardFields(scope: object, ctx: TenantContext): void {
  if (ctx.access === null) return;
  const target = scope as Record<string, unknown>;
  for (const name of Object.keys(target)) {
    const service = target[name];
    if (notServices.has(name) || typeof service !== 'object' || service === null) continue;
    target[name] = guardService(name, service, ctx);
  }
}

/**
 * Services whose records reach callers rebuilt by spreading or straight from
 * rows, without the brand (`{ ...pipeline, stages }` with stage rows): every
 * method of these returns records of the entity, or a page of them, with
 * arrays of records of other entities under `nested`; unbranded ones are
 * branded here.
 */
const rebuiltBy: Readonly<Record<string, { entity: EntityName; nested: Readonly<Record<string, EntityName>> }>> = {
  pipelines: { entity: 'pipeline', nested: { stages: 'stage' } },
};

function brandRebuilt<T>(result: T, rebuilt: (typeof rebuiltBy)[string]): T {
  const mark = (value: unknown, entity: EntityName) => {
    if (typeof value !== 'object' || value === null) return;
    if (entityOfRecord(value) === undefined) brand(value, entity);
    for (const [field, inner] of Object.entries(rebuilt.nested)) {
      const list = (value as Record<string, unknown>)[field];
      if (entity === rebuilt.entity && Array.isArray(list)) for (const item of list) mark(item, inner);
    }
  };
  mark(result, rebuilt.entity);
  const items = (result as { items?: unknown } | null | undefined)?.items;
  if (Array.isArray(items)) for (const item of items) mark(item, rebuilt.entity);
  return result;
}

/** The member's field rules, or null when none applies (then calls pass untouched). */
async function viewOf(ctx: TenantContext): Promise<FieldView | null> {
  const policy = await ctx.policy();
  if (policy === null) return null;
  const view = FieldView.of(policy);
  return view.any ? view : null;
}

function guardService(name: string, service: object, ctx: TenantContext): object {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(service, {
    get(target, property) {
      // Read on the service itself: its methods use private fields, which a proxy receiver lacks.
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function' || property === 'constructor' || typeof property === 'symbol') return value;
      let method = methods.get(property);
      if (method === undefined) {
        method = guardMethod(name, property, value as (...args: unknown[]) => unknown, target, ctx);
        methods.set(property, method);
      }
      return method;
    },
  });
}

type Method = (...args: unknown[]) => unknown;

function guardMethod(service: string, method: string, fn: Method, target: object, ctx: TenantContext): Method {
  if (service === 'exports' && method === 'stream') return guardStream(fn, target, ctx);
  const spec = inputSpec(service, method);
  return async (...args: unknown[]) => {
    const view = await viewOf(ctx);
    if (view === null) return fn.apply(target, args);
    if (spec !== undefined) assertWritable(view, spec, args);
    if (service === 'exports' && method === 'toWritable') args = withVisibleColumns(args, 2, view, ctx);
    const result = await fn.apply(target, args);
    const rebuilt = rebuiltBy[service];
    return stripHidden(rebuilt === undefined ? result : brandRebuilt(result, rebuilt), view);
  };
}

/**
 * `exports.stream` answers at once (its options are checked at the call) with
 * an iterable read later: the call is made as it is, for its checks, and the
 * iteration reads the export with the member's visible columns.
 */
function guardStream(fn: Method, target: object, ctx: TenantContext): Method {
  return (...args: unknown[]) => {
    const checked = fn.apply(target, args) as AsyncIterable<string>;
    return {
      async *[Symbol.asyncIterator]() {
        const view = await viewOf(ctx);
        yield* view === null ? checked : (fn.apply(target, withVisibleColumns(args, 1, view, ctx)) as AsyncIterable<string>);
      },
    };
  };
}

/** The export call's arguments with its options narrowed to the columns the member may see. */
function withVisibleColumns(args: unknown[], at: number, view: FieldView, ctx: TenantContext): unknown[] {
  const target = args[0];
  const name = typeof target === 'string' ? target : 'contact';
  if (!isRegistryEntity(name)) return args; // the service refuses it
  const entity = entities[name] as unknown as EntityDefinition<EntityRow>;
  const options = (args[at] ?? {}) as { mapping?: never; fields?: string[] };
  const conceals = (owner: string, path: string) => isRegistryEntity(owner) && view.conceals(owner, path);
  const out = [...args];
  out[at] = visibleExportOptions(entity, ctx.runtime.customFields, options, conceals);
  return out;
}
