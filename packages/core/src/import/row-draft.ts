import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import { normalizeDomain } from '../companies/domain.js';
import { toE164 } from '../contacts/phone.js';
import { acceptsNull, coerceCell } from './coerce-cell.js';
import type { ColumnPlan } from './column-plan.js';
import type { ImportIssue, ReferenceKind } from './import.schema.js';
import type { SourceRow } from './source-rows.js';

/** A natural key a row names, to be turned into an id: `apply` puts the id where it belongs. */
export interface PendingReference {
  kind: ReferenceKind;
  value: string;
  column: string;
  field: string;
  apply(id: string): void;
}

/** One row on its way to a service call: its input so far, what it references and what is wrong with it. */
export interface RowDraft {
  line: number;
  row: number;
  values: Record<string, unknown>;
  references: PendingReference[];
  issues: ImportIssue[];
  /** The normalised key value (upsert / update), if the row has one. */
  key: string | undefined;
  /** What the row becomes once looked up. */
  op?: { kind: 'create' } | { kind: 'update'; id: string };
  /** A valid create of a target with a bulk path: its input parsed and prepared by the service (`ImportTarget.bulk`). */
  prepared?: unknown;
}

/** Sets `value` at a dotted path, making the objects on the way. */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** A deep copy of JSON-like defaults, so that rows never share (and mutate) one object. */
function copyOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyOf);
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOf(v)]));
  }
  return value;
}

/** A key value as stored, so that a file's `Ada@Acme.io` finds the stored `ada@acme.io`. */
export function normalizeKey(key: string, value: unknown, country: CountryCode | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (key === 'email') return text.toLowerCase();
  if (key === 'phone') return toE164(text, country) ?? text;
  if (key === 'domain') return normalizeDomain(text) ?? text.toLowerCase();
  return text;
}

/**
 * Whether a null is "not given" rather than a value: a part of a nested value
 * (`annualRevenue.minor`) whose schema has no null. An export writes a company
 * without revenue as `"Revenue": null, "Revenue currency": null`, and reading
 * those as `{ minor: null, currency: null }` would reject the row; a top-level
 * null still reaches the schema, which clears a nullable field.
 */
function isAbsentPart(path: readonly string[], schema: z.ZodType | undefined): boolean {
  return path.length > 1 && schema !== undefined && !acceptsNull(schema);
}

/** What building a draft needs besides the row. */
export interface DraftContext {
  plan: ColumnPlan;
  csv: boolean;
  defaults: Record<string, unknown> | undefined;
  key: string | undefined;
  lineSkus: boolean;
  country: CountryCode | undefined;
}

/** A source row as a draft input: cells mapped to fields, coerced (CSV), references noted, the key normalised. */
export function draftOf(source: SourceRow, c: DraftContext): RowDraft {
  const values = (copyOf(c.defaults ?? {}) as Record<string, unknown>);
  const draft: RowDraft = { line: source.line, row: source.row, values, references: [], issues: [], key: undefined };
  if (source.problem) draft.issues.push({ line: source.line, row: source.row, ...source.problem });
  for (const [column, cell] of Object.entries(source.cells)) {
    const to = c.plan.resolve(column);
    if (to.kind === 'field') {
      const value = c.csv && typeof cell === 'string' ? coerceCell(to.schema, cell) : cell;
      if (value === undefined || (value === null && isAbsentPart(to.path, to.schema))) continue;
      setPath(values, to.path, value);
    } else if (to.kind === 'reference') {
      noteReference(draft, column, to, cell);
    }
  }
  if (c.lineSkus) noteLineSkus(draft);
  if (c.key !== undefined) draft.key = normalizeKey(c.key, values[c.key], c.country);
  return draft;
}

function noteReference(draft: RowDraft, column: string, to: { reference: ReferenceKind; field: string; many: boolean }, cell: unknown): void {
  if (cell === undefined || cell === null || cell === '') return;
  if (typeof cell !== 'string') {
    draft.issues.push({ line: draft.line, row: draft.row, column, field: to.field, code: 'invalid_type', message: `${to.reference} must be text` });
    return;
  }
  // A list reference (a deal's contacts) may name several records: `a@x.io;b@y.io`.
  const values = to.many ? cell.split(';').map((v) => v.trim()).filter((v) => v !== '') : [cell.trim()];
  for (const value of values) {
    if (value === '') continue;
    draft.references.push({
      kind: to.reference, value, column, field: to.field,
      apply: (id) => {
        if (!to.many) {
          draft.values[to.field] = id;
          return;
        }
        const list = Array.isArray(draft.values[to.field]) ? (draft.values[to.field] as unknown[]) : [];
        if (!list.includes(id)) list.push(id);
        draft.values[to.field] = list;
      },
    });
  }
}

/** Order and deal lines may name their product by `sku` instead of `productId`. */
function noteLineSkus(draft: RowDraft): void {
  const lines = draft.values.lines;
  if (!Array.isArray(lines)) return;
  lines.forEach((line: unknown, index) => {
    if (typeof line !== 'object' || line === null || !('sku' in line)) return;
    const holder = line as Record<string, unknown>;
    const sku = holder.sku;
    delete holder.sku;
    if (typeof sku !== 'string' || sku.trim() === '') return;
    draft.references.push({ kind: 'product.sku', value: sku.trim(), column: 'lines', field: `lines.${index}.productId`, apply: (id) => { holder.productId = id; } });
  });
}
