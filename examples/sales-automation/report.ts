import { instanceModel, type WorkflowInstance } from '@crmkit/workflows';
import { listAll } from './list-all.js';
import type { Simulation } from './simulate.js';

/** The standard workflows, in the order the report lists them. */
export const workflowIds = ['deal-stage-gates', 'follow-up', 'lead-qualification', 'win-back'] as const;
type WorkflowId = (typeof workflowIds)[number];

/** What the simulation did, as plain counts. */
export interface AutomationReport {
  opportunities: number;
  dealsImported: number;
  openAtGoLive: number;
  leads: number;
  /** Per workflow: instances by where they ended (`open/stale`, `won`, `inactive`...). */
  instances: Record<WorkflowId, Record<string, number>>;
  /** Per workflow: tasks created (tag `workflow:<id>`) by kind. */
  tasks: Record<WorkflowId, Record<string, number>>;
  /** Manager tasks: lead escalations and discount approvals. */
  escalations: { leads: number; discounts: number };
  enrolments: number;
  deadLetters: number;
  triggerFailures: number;
  simulated: { from: string; to: string; steps: number };
  elapsedMs: { import: number; simulation: number };
}

/** Where an instance stands, in a few words: the stage region for the parallel stage gates. */
function stateLabel(instance: Pick<WorkflowInstance, 'workflowId' | 'state' | 'value'>): string {
  const value = instance.value as { open?: { stage?: string; discount?: string } } | string;
  if (typeof value === 'object' && value.open) return `open/${value.open.stage}`;
  return instance.state;
}

/** The kind of a task, from the titles the standard machines give them. */
function taskKind(title: string): string {
  const kinds: [RegExp, string][] = [
    [/^Fill in /, 'fill in fields'],
    [/^The deal has been in /, 'stale reminder'],
    [/^Approve a /, 'discount approval'],
    [/^(Kick-off call|Send the welcome pack)/, 'onboarding'],
    [/^Follow up on /, 'follow-up'],
    [/^Contact the new lead/, 'lead assignment'],
    [/^Lead not contacted/, 'escalation'],
    [/^Win back /, 'win-back'],
  ];
  return kinds.find(([pattern]) => pattern.test(title))?.[1] ?? 'other';
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/** Reads the outcome of a simulation from the CRM and the engine. */
export async function collectReport(sim: Simulation): Promise<AutomationReport> {
  const instances = Object.fromEntries(workflowIds.map((id) => [id, {}])) as AutomationReport['instances'];
  const tasks = Object.fromEntries(workflowIds.map((id) => [id, {}])) as AutomationReport['tasks'];
  // The engine lists instances per subject only; the instance model is public for reports like this one.
  const rows = await sim.crm.adapter.findMany({ model: instanceModel, tenantId: sim.tenantId, select: ['workflowId', 'state', 'snapshot'] });
  for (const row of rows) {
    const workflowId = row.workflowId as WorkflowId;
    const value = (row.snapshot as { value: WorkflowInstance['value'] }).value;
    count(instances[workflowId], stateLabel({ workflowId, state: row.state as string, value }));
  }
  for (const id of workflowIds) {
    for (const task of await listAll((o) => sim.t.tasks.list(o), { where: { tags: { has: `workflow:${id}` } } })) count(tasks[id], taskKind(task.title));
  }
  return {
    opportunities: sim.imported.opportunitiesConsidered,
    dealsImported: sim.imported.created.deals,
    openAtGoLive: sim.openDeals.length,
    leads: sim.leads.length,
    instances,
    tasks,
    escalations: { leads: tasks['lead-qualification'].escalation ?? 0, discounts: tasks['deal-stage-gates']['discount approval'] ?? 0 },
    enrolments: sim.campaign.enrolments.length,
    deadLetters: (await sim.engine.deadJobs(sim.tenantId)).length,
    triggerFailures: (await sim.triggers.failures(sim.tenantId)).length,
    simulated: { from: sim.startedAt.toISOString(), to: sim.clock.now().toISOString(), steps: sim.steps },
    elapsedMs: { import: sim.imported.elapsedMs, simulation: sim.simulationMs },
  };
}
