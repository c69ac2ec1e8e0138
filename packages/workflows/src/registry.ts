import type { WorkflowDefinition } from './definition.js';

/** Registered workflows by id and version. @internal */
export class WorkflowRegistry {
  readonly #byId = new Map<string, Map<number, WorkflowDefinition>>();

  constructor(definitions: readonly WorkflowDefinition[]) {
    for (const definition of definitions) {
      const versions = this.#byId.get(definition.id) ?? new Map<number, WorkflowDefinition>();
      if (versions.has(definition.version)) throw new Error(`Workflow ${definition.id} version ${definition.version} is registered twice`);
      versions.set(definition.version, definition);
      this.#byId.set(definition.id, versions);
    }
  }

  /** The highest version of a workflow. */
  latest(id: string): WorkflowDefinition {
    const versions = this.#byId.get(id);
    if (!versions) throw new Error(`Unknown workflow ${JSON.stringify(id)}`);
    return versions.get(Math.max(...versions.keys())) as WorkflowDefinition;
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
