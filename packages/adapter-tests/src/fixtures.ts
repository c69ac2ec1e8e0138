import { columnName } from '@crmkit/core';
import type { ModelDefinition, Row, Where } from '@crmkit/core';
import { expect } from 'vitest';
import type { ConformanceContext } from './context.js';
import { conformanceItem, conformanceJob } from './models.js';

let counter = 0;
const stamp = Date.now().toString(36).padStart(9, '0');

function randomChars(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += Math.floor(Math.random() * 36).toString(36);
  return out;
}

/**
 * A fresh id: lowercase base-36 of one length, increasing within a run, so that
 * the database and JavaScript order ids alike under any collation.
 */
export function newId(): string {
  counter += 1;
  return `${stamp}${counter.toString(36).padStart(6, '0')}${randomChars(4)}`;
}

/** A fresh tenant id: no test sees another test's rows. */
export function newTenant(): string {
  return `t${randomChars(12)}`;
}

const created = '2024-01-01T00:00:00.000Z';

/** A complete `conformance_item` row with defaults for every required field. */
export function itemRow(overrides: Row = {}): Row {
  const id = typeof overrides.id === 'string' ? overrides.id : newId();
  return {
    id,
    createdAt: created,
    updatedAt: created,
    version: 1,
    slug: `s-${id}`,
    name: 'item',
    body: '',
    rank: 0,
    amount: 0,
    ratio: 0,
    done: false,
    occurredAt: created,
    startsOn: '2024-01-01',
    custom: {},
    tags: [],
    ...overrides,
  };
}

/** A complete `conformance_job` row. */
export function jobRow(overrides: Row = {}): Row {
  return { id: newId(), createdAt: created, updatedAt: created, queue: 'q', dueAt: created, attempts: 0, ...overrides };
}

/** The row as the adapter must return it: every field present, missing nullable ones as `null`. */
export function stored(model: ModelDefinition, tenantId: string, row: Row): Row {
  const out: Row = {};
  for (const field of Object.keys(model.fields)) out[field] = row[field] ?? null;
  out.tenantId = tenantId;
  return out;
}

/** Shorthands for model scopes. */
export const item = (tenantId: string) => ({ model: conformanceItem, tenantId });
/** Scope of the job model. */
export const job = (tenantId: string) => ({ model: conformanceJob, tenantId });

/** The SQL column of a model field. */
export function col(model: ModelDefinition, field: string): string {
  return columnName(field, model.fields[field]);
}

/** Counts a tenant's rows through raw SQL, bypassing the adapter. */
export async function rawCount(ctx: ConformanceContext, model: ModelDefinition, tenantId: string): Promise<number> {
  const rows = await ctx.raw(`SELECT COUNT(*) AS n FROM ${model.table} WHERE ${col(model, 'tenantId')} = ?`, [tenantId]);
  return Number(rows[0]?.n ?? rows[0]?.N);
}

/** A tenant's rows as the driver returns them, ordered by id: for byte-for-byte comparisons. */
export async function rawRows(ctx: ConformanceContext, model: ModelDefinition, tenantId: string): Promise<Record<string, unknown>[]> {
  return ctx.raw(`SELECT * FROM ${model.table} WHERE ${col(model, 'tenantId')} = ? ORDER BY ${col(model, 'id')}`, [tenantId]);
}

/** The id-sorted ids of rows. */
export function ids(rows: readonly Row[]): string[] {
  return rows.map((row) => String(row.id)).sort();
}

/**
 * Awaits a promise that must reject with a crmkit error of this `code`, and returns
 * it. Compares `code`, not classes: `instanceof` fails across two copies of core.
 */
export async function expectError(promise: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error, `expected a rejection with code ${code}`).toBeInstanceOf(Error);
  expect((error as { code?: unknown }).code, String((error as Error).message)).toBe(code);
  return error as Record<string, unknown>;
}

/** Awaits a promise that must reject with some crmkit error (any `code`), never a raw driver error. */
export async function expectCrmError(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  expect(typeof (error as { code?: unknown }).code, `a raw error escaped: ${String(error)}`).toBe('string');
  return error as Record<string, unknown>;
}

/**
 * Seeds `rows` of the item model in a fresh tenant and returns a finder that
 * gives the sorted names matching a where-tree, checking that `count` agrees.
 */
export async function seededFinder(ctx: ConformanceContext, rows: readonly Row[]): Promise<(where: Where) => Promise<string[]>> {
  const t = newTenant();
  await ctx.adapter.createMany({ ...item(t), rows });
  return async (where) => {
    const found = await ctx.adapter.findMany({ ...item(t), where });
    const names = found.map((row) => String(row.name)).sort();
    expect(await ctx.adapter.count({ ...item(t), where }), 'count agrees with findMany').toBe(names.length);
    return names;
  };
}
