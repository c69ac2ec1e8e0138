import { companyModel } from '../companies/company.model.js';
import { normalizeDomain } from '../companies/domain.js';
import type { TenantContext } from '../common/context.js';
import { contactModel } from '../contacts/contact.model.js';
import { memberModel } from '../members/member.model.js';
import { pipelineModel } from '../pipelines/pipeline.model.js';
import { productModel } from '../products/product.model.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { ReferenceKind } from './import.schema.js';
import type { RowDraft } from './row-draft.js';

/** What a natural key resolved to: an id, nothing, or several records. */
type Resolution = string | null | { ambiguous: number };

interface Lookup {
  model: ModelDefinition;
  field: string;
  /** The value as stored, so that the file's spelling finds the stored one. */
  normalize(value: string): string;
}

const lower = (value: string) => value.trim().toLowerCase();
const trim = (value: string) => value.trim();

const lookups: Record<Exclude<ReferenceKind, 'stage.key'>, Lookup> = {
  'company.domain': { model: companyModel as ModelDefinition, field: 'domain', normalize: (v) => normalizeDomain(v) ?? lower(v) },
  'company.name': { model: companyModel as ModelDefinition, field: 'name', normalize: trim },
  'owner.email': { model: memberModel as ModelDefinition, field: 'email', normalize: lower },
  'assignee.email': { model: memberModel as ModelDefinition, field: 'email', normalize: lower },
  'contact.email': { model: contactModel as ModelDefinition, field: 'email', normalize: lower },
  'product.sku': { model: productModel as ModelDefinition, field: 'sku', normalize: trim },
  'pipeline.name': { model: pipelineModel as ModelDefinition, field: 'name', normalize: trim },
};

/** Values per `in` query: far below every adapter's bind-parameter limit. */
const queryChunk = 500;
/** Resolutions remembered across batches per kind; past it the cache starts over, so memory stays bounded. */
const cacheLimit = 20_000;

/**
 * Finds the records that rows name by natural key, one query per kind of
 * reference per batch (not one per row), remembering what it found for the
 * next batches. A name no record has, or several records share, becomes an
 * issue of the row on the column that named it.
 */
export class ReferenceResolver {
  readonly #ctx: TenantContext;
  readonly #cache = new Map<ReferenceKind, Map<string, Resolution>>();

  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /** Resolves the references of a batch's rows in place. */
  async resolve(drafts: readonly RowDraft[]): Promise<void> {
    const wanted = new Map<ReferenceKind, Set<string>>();
    for (const draft of drafts) {
      for (const ref of draft.references) {
        if (ref.kind === 'stage.key') continue;
        const key = lookups[ref.kind].normalize(ref.value);
        if (this.#cached(ref.kind).has(key)) continue;
        let set = wanted.get(ref.kind);
        if (set === undefined) wanted.set(ref.kind, (set = new Set()));
        set.add(key);
      }
    }
    for (const [kind, values] of wanted) await this.#load(kind as Exclude<ReferenceKind, 'stage.key'>, [...values]);
    for (const draft of drafts) {
      for (const ref of draft.references) {
        if (ref.kind === 'stage.key') {
          // The deal service resolves a stage key within the deal's pipeline.
          ref.apply(ref.value);
          continue;
        }
        const found = this.#cached(ref.kind).get(lookups[ref.kind].normalize(ref.value));
        if (typeof found === 'string') ref.apply(found);
        else {
          const ambiguous = typeof found === 'object' && found !== null;
          draft.issues.push({
            line: draft.line, row: draft.row, column: ref.column, field: ref.field,
            code: ambiguous ? 'ambiguous_reference' : 'unknown_reference',
            message: ambiguous
              ? `${found.ambiguous} records match ${ref.kind} ${JSON.stringify(ref.value)}`
              : `No record has ${ref.kind} ${JSON.stringify(ref.value)}`,
          });
        }
      }
      draft.references = [];
    }
  }

  #cached(kind: ReferenceKind): Map<string, Resolution> {
    let map = this.#cache.get(kind);
    if (map === undefined) this.#cache.set(kind, (map = new Map()));
    return map;
  }

  async #load(kind: Exclude<ReferenceKind, 'stage.key'>, values: string[]): Promise<void> {
    const { model, field } = lookups[kind];
    const cache = this.#cached(kind);
    if (cache.size + values.length > cacheLimit) cache.clear();
    for (let at = 0; at < values.length; at += queryChunk) {
      const chunk = values.slice(at, at + queryChunk);
      const ids = await idsByValue(this.#ctx, model, field, chunk);
      for (const value of chunk) {
        const matches = ids.get(value) ?? [];
        cache.set(value, matches.length === 1 ? matches[0]! : matches.length === 0 ? null : { ambiguous: matches.length });
      }
    }
  }
}

/** The ids of the records whose `field` is one of `values`, by value: one query. */
export async function idsByValue(ctx: TenantContext, model: ModelDefinition, field: string, values: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  if (values.length === 0) return found;
  const rows = (await ctx.storage.findMany({
    model, tenantId: ctx.tenantId, where: { [field]: { in: [...values] } }, select: ['id', field],
  })) as Record<string, unknown>[];
  for (const row of rows) {
    const value = String(row[field]);
    const list = found.get(value);
    if (list) list.push(row.id as string);
    else found.set(value, [row.id as string]);
  }
  return found;
}
