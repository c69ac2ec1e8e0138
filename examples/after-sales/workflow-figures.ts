import type { Task } from '@crmkit/core';
import type { WorkflowInstance } from '@crmkit/workflows';
import { listAll } from './list-all.js';
import type { Simulation } from './simulate.js';

/** The after-sales machines, in the order the report lists them. */
export const workflowIds = ['case-sla', 'warranty-claim', 'contract-renewal', 'satisfaction-survey'] as const;
/** One of {@link workflowIds}. */
export type WorkflowId = (typeof workflowIds)[number];

/** A task of the run and who made it. */
export interface TaskLine {
  title: string;
  assignee: string;
  /** The workflow that created it (its `workflow:<id>` tag), or `core` for one a service created (a detractor's escalation). */
  source: WorkflowId | 'core';
}

/** Where an instance stands in a few words; for `case-sla`, the escalation region of the open case. */
export function stateLabel(instance: Pick<WorkflowInstance, 'workflowId' | 'state' | 'value'>): string {
  const value = instance.value as { open?: { escalation?: string } } | string;
  if (instance.workflowId === 'case-sla' && typeof value === 'object' && value.open) return `open/escalation ${value.open.escalation}`;
  return instance.state;
}

/** Per workflow: instances by {@link stateLabel}. */
export async function instanceStates(sim: Simulation): Promise<Record<WorkflowId, Record<string, number>>> {
  const states = Object.fromEntries(workflowIds.map((id) => [id, {}])) as Record<WorkflowId, Record<string, number>>;
  for (const workflowId of workflowIds) {
    const instances = await listAll((o) => sim.engine.list(sim.tenantId, { workflowId, limit: o.limit, ...(o.cursor ? { cursor: o.cursor } : {}) }));
    for (const instance of instances) {
      const label = stateLabel(instance);
      states[workflowId][label] = (states[workflowId][label] ?? 0) + 1;
    }
  }
  return states;
}

/** Every task, oldest first, with its assignee's name and the machine (or service) that made it. */
export async function taskLines(sim: Simulation): Promise<TaskLine[]> {
  const names = new Map((await listAll((o) => sim.t.members.list(o))).map((m) => [m.id, m.name]));
  const tasks: Task[] = await listAll((o) => sim.t.tasks.list(o), { orderBy: { createdAt: 'asc' } });
  return tasks.map((task) => {
    const tag = task.tags.find((t) => t.startsWith('workflow:'))?.slice('workflow:'.length);
    const source = workflowIds.find((id) => id === tag) ?? 'core';
    return { title: task.title, assignee: (task.assigneeId && names.get(task.assigneeId)) || 'nobody', source };
  });
}
