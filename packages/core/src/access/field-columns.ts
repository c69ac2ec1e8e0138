import { entities, type EntityName } from '../entities/registry.js';
import type { FieldAccessRule } from './access-levels.js';

/** Record fields and the model fields (row columns) that store them, both ways, for one entity. */
interface ColumnMap {
  /** Record field -> the model fields its `toRow` writes (`amount` -> `amountMinor`, `currency`). */
  readonly columnsOf: ReadonlyMap<string, readonly string[]>;
  /** Model field -> the record fields written into it (`currency` -> `amount`). */
  readonly fieldsOf: ReadonlyMap<string, readonly string[]>;
}

// A value every entity's `toRow` maps without failing: money mappings read `.minor` and
// `.currency` from it, the others copy it as it is (or only test it against null).
const probe = { minor: 0, currency: 'EUR' };

const maps = new Map<EntityName, ColumnMap>();

/**
 * Record fields that show another one: a deal's weighted amount and its lines'
 * totals give its `amount` away, a contact's `emails` and `phones` start with
 * its primary `email` and `phone`. A rule on the field covers these too.
 */
const derived: Partial<Record<EntityName, Record<string, readonly string[]>>> = {
  deal: { amount: ['weightedAmountMinor', 'lines'] },
  contact: { email: ['emails'], phone: ['phones'] },
};

/**
 * The entity's rules with the fields derived from a ruled field ruled alike
 * (see {@link derived}); a rule naming the derived field itself wins.
 */
export function withDerived(entity: EntityName, rules: ReadonlyMap<string, FieldAccessRule>): ReadonlyMap<string, FieldAccessRule> {
  const table = derived[entity];
  if (table === undefined || rules.size === 0) return rules;
  let out: Map<string, FieldAccessRule> | undefined;
  for (const [field, rule] of rules) {
    for (const extra of table[field] ?? []) {
      if (rules.has(extra)) continue;
      out ??= new Map(rules);
      if (out.get(extra) !== 'hidden') out.set(extra, rule);
    }
  }
  return out ?? rules;
}

/**
 * Field rules name record fields (`amount`), while filters, orders and
 * aggregates reach the storage in model field names (`amountMinor`). The map
 * between the two is read off each entity's own mapping, once: its record
 * fields are the keys of `toRecord` of a row of nulls, and a field's columns
 * are the keys of `toRow` of a record holding that field only. So a new
 * entity, or a changed mapping, needs no table here.
 */
function columnMap(entity: EntityName): ColumnMap {
  let map = maps.get(entity);
  if (map !== undefined) return map;
  const definition = entities[entity] as unknown as {
    model: { fields: Record<string, unknown> };
    toRecord(row: object): object;
    toRow(record: object): object;
  };
  const row = Object.fromEntries(Object.keys(definition.model.fields).map((name) => [name, null]));
  const columnsOf = new Map<string, string[]>();
  const fieldsOf = new Map<string, string[]>();
  for (const field of Object.keys(definition.toRecord(row))) {
    const columns = Object.keys(definition.toRow({ [field]: probe }));
    columnsOf.set(field, columns);
    for (const column of columns) fieldsOf.set(column, [...(fieldsOf.get(column) ?? []), field]);
  }
  for (const [field, extras] of Object.entries(derived[entity] ?? {})) {
    for (const column of extras.flatMap((extra) => columnsOf.get(extra) ?? [])) fieldsOf.set(column, [...(fieldsOf.get(column) ?? []), field]);
  }
  map = { columnsOf, fieldsOf };
  maps.set(entity, map);
  return map;
}

/**
 * The record fields a model field of the entity stores: `['amount']` for a
 * deal's `amountMinor`, `['priority']` for a task's `priorityRank`. A field the
 * mapping does not know (a JSON path: `custom.tier`) is its own.
 */
export function recordFieldsOf(entity: EntityName, modelField: string): readonly string[] {
  return columnMap(entity).fieldsOf.get(modelField) ?? [modelField];
}

/** The model fields a record field of the entity is stored in (itself when the mapping keeps it as is). */
export function modelFieldsOf(entity: EntityName, recordField: string): readonly string[] {
  return columnMap(entity).columnsOf.get(recordField) ?? [recordField];
}
