import { NotFoundError } from '@crmkit/core';
import type { WorkflowDefinition } from './definition.js';
import { WorkflowDefinitionError } from './errors.js';

/** Registered workflows by id and version (not exported from the package). */
export class WorkflowRegistry {
  readonly #byId = new Map<string, Map<number, WorkflowDefinition>>();
  /** The highest version of each id, looked up on every event. */
  readonly #latest = new Map<string, WorkflowDefinition>();

  /** @throws {WorkflowDefinitionError} when one version of a workflow is given twice */
  constructor(definitions: readonly WorkflowDefinition[]) {
    for (const definition of definitions) {
      const versions = this.#byId.get(definition.id) ?? new Map<number, WorkflowDefinition>();
      if (versions.has(definition.version)) {
        throw new WorkflowDefinitionError(`Workflow ${definition.id} version ${definition.version} is registered twice`, definition.id);
      }
      versions.set(definition.version, definition);
      this.#byId.set(definition.id, versions);
      const latest = this.#latest.get(definition.id);
      if (latest === undefined || latest.version < definition.version) this.#latest.set(definition.id, definition);
    }
  }

  /** The highest version of a workflow. @throws {NotFoundError} (entity `workflow`) for an id nobody registered */
  latest(id: string): WorkflowDefinition {
    const latest = this.#latest.get(id);
    if (latest === undefined) throw new NotFoundError('workflow', id);
    return latest;
  }

  /** One version. */
  version(id: string, version: number): WorkflowDefinition | undefined {
    return this.#byId.get(id)?.get(version);
  }

  /** Every registered definition. */
  all(): WorkflowDefinition[] {
    return [...this.#byId.values()].flatMap((versions) => [...versions.values()]);
  }
}
