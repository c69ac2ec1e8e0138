import type { AnyStateMachine } from 'xstate';
import { WorkflowDefinitionError } from './errors.js';

/** What a workflow is about: a deal, a contact, a company, a case... */
export interface Subject {
  /** The entity name (`deal`, `contact`...). */
  type: string;
  /** The record id. */
  id: string;
}

/**
 * A persisted snapshot as stored (XState's `getPersistedSnapshot()` output).
 * Migrations receive and return this form.
 */
export type PersistedSnapshot = Record<string, unknown>;

/** A machine registered under an id and a version. */
export interface WorkflowDefinition<TMachine extends AnyStateMachine = AnyStateMachine> {
  /** Stable id, e.g. `lead-qualification`. */
  id: string;
  /** Positive integer; new instances use the highest registered version. */
  version: number;
  /** The machine, built with `setup({ types, actions, guards, delays }).createMachine(...)`. */
  machine: TMachine;
  /**
   * Moves a snapshot of an older version forward to this version. Instances of
   * an older version keep running on their own version when this is absent or
   * returns `undefined` for that version.
   */
  migrate?: (snapshot: PersistedSnapshot, fromVersion: number) => PersistedSnapshot | undefined;
  /**
   * Names of `after` delays (from `setup({ delays })`) counted in business hours
   * of the engine's calendar rather than wall-clock time: the delay's value, in
   * milliseconds, is read as working time.
   */
  businessDelays?: readonly string[];
}

/**
 * Declares a workflow. A plain identity function that keeps the machine's types.
 * @example
 * export const followUp = defineWorkflow({ id: 'follow-up', version: 1, machine: followUpMachine });
 * @throws {WorkflowDefinitionError} for an id that is not lowercase letters, digits, `.`, `_` and `-` (up to 64), or a version that is not a positive integer
 */
export function defineWorkflow<TMachine extends AnyStateMachine>(definition: WorkflowDefinition<TMachine>): WorkflowDefinition<TMachine> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(definition.id)) throw new WorkflowDefinitionError(`Invalid workflow id ${JSON.stringify(definition.id)}`);
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new WorkflowDefinitionError(`Invalid version ${definition.version} of ${definition.id}`, definition.id);
  }
  return definition;
}
