import type { TenantScope } from '@crmkit/core';

/**
 * Ids of what a suite's `seed` made, by the name the suite chose (`contact`,
 * `deal`, `caseOfOther`...). The harness also fills `owner` (the member
 * owning every seeded record) and `nobody` (the actor of the checks).
 */
export type SeedIds = Record<string, string>;

/**
 * How one public service method is held to the actor's grant, checked by
 * calling it as `nobody`: an active member whose only role grants nothing.
 *
 * - `empty`: it resolves, and its result names none of the seeded records
 *   (no seeded id appears anywhere in it, nor in anything it streams).
 * - `refused`: it rejects with `ForbiddenError` or `NotFoundError`.
 * - a function: it receives the outcome and asserts what it must.
 * - `{ system: why }`: it touches no record (a pure helper), said why.
 */
export type MethodExpectation =
  | 'empty'
  | 'refused'
  | ((outcome: { result?: unknown; error?: unknown }, ids: SeedIds) => void | Promise<void>)
  | { system: string };

/** One method's check. */
export interface MethodCase {
  /** Calls the method on the `nobody` actor's scope, with records of the seeded world. */
  run?: (t: TenantScope, ids: SeedIds) => unknown;
  expect: MethodExpectation;
}

/** The methods of some services and the records they need. */
export interface MethodSuite {
  /** Makes records through the system scope, owned by `ids.owner`, adding their ids to `ids`. */
  seed(sys: TenantScope, ids: SeedIds): Promise<void>;
  /** By `service.method` (`contacts.list`), every public method of the services the suite covers. */
  cases: Record<string, MethodCase>;
}
