import type { Row } from '@crmkit/core';
import type { StateValue } from 'xstate';
import type { Subject } from '../definition.js';

/** Where an instance stands, as read from storage. */
export interface WorkflowInstance {
  tenantId: string;
  id: string;
  workflowId: string;
  /** The machine version the instance runs on. */
  workflowVersion: number;
  subject: Subject | null;
  /** `active` until the machine reaches a final state (`done`), fails (`error`) or is stopped with `engine.stop` (`stopped`). */
  status: 'active' | 'done' | 'error' | 'stopped';
  /** The state value as text: `qualifying.scoring` for nested states. */
  state: string;
  /** The XState state value. */
  value: StateValue;
  /** The machine context. */
  context: unknown;
  /** Incremented by every applied event. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** One applied event of an instance's history. */
export interface WorkflowStep {
  revision: number;
  eventType: string;
  event: Record<string, unknown>;
  fromState: string | null;
  toState: string;
  at: string;
}

/** A row of the instance table as the public view. */
export function toInstance(row: Row): WorkflowInstance {
  const snapshot = row.snapshot as { value: StateValue; context: unknown };
  return {
    tenantId: row.tenantId as string,
    id: row.id as string,
    workflowId: row.workflowId as string,
    workflowVersion: row.workflowVersion as number,
    subject: row.subjectType ? { type: row.subjectType as string, id: row.subjectId as string } : null,
    status: row.status as WorkflowInstance['status'],
    state: row.state as string,
    value: snapshot.value,
    context: snapshot.context,
    revision: row.version as number,
    createdAt: row.createdAt as string,
    updatedAt: row.updatedAt as string,
  };
}
