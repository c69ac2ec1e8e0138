import { CrmError, type CrmErrorOptions } from '@crmkit/core';

/**
 * A workflow definition asks for something the durable runtime cannot store
 * or replay: a malformed id or version, the same version registered twice, a
 * machine that sends to another actor, spawns a child, gives effects params
 * that are not JSON, or a business-hours delay on an engine without a
 * calendar. It is a programming error to fix in the machine or the engine's
 * options, never a transient one: retrying the same call fails the same way.
 * Code `WORKFLOW_DEFINITION_INVALID`.
 */
export class WorkflowDefinitionError extends CrmError {
  /** The workflow (or machine) id the problem is in, when known. */
  readonly workflowId: string | undefined;

  constructor(message: string, workflowId?: string, options: CrmErrorOptions = {}) {
    super('WORKFLOW_DEFINITION_INVALID', message, options);
    this.workflowId = workflowId;
  }
}
