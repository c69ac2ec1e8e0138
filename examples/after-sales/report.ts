import type {
  CaseBacklogRow, CaseChannel, ContractRenewals, ContractStatus, RepeatPurchase, ResponseTimesRow, SatisfactionRow, SlaComplianceRow,
  WarrantyClaimRateRow,
} from '@crmkit/core';
import { listAll } from './list-all.js';
import type { Simulation } from './simulate.js';
import { instanceStates, type TaskLine, taskLines, type WorkflowId } from './workflow-figures.js';

/** One case of the run, with its SLA figures (minutes net of paused time). */
export interface CaseLine {
  number: number;
  subject: string;
  channel: CaseChannel;
  policy: string;
  status: string;
  firstResponse: { minutes: number | null; businessMinutes: number | null; breached: boolean | null };
  resolution: { minutes: number | null; businessMinutes: number | null; breached: boolean | null };
  satisfaction: number | null;
}

/** What the run did and the after-sales reports at its end. */
export interface AfterSalesReport {
  simulated: { from: string; to: string; steps: number; elapsedMs: number };
  cases: CaseLine[];
  /** Per workflow: instances by where they are. */
  instances: Record<WorkflowId, Record<string, number>>;
  tasks: TaskLine[];
  /** Committed events of the run by type. */
  events: Record<string, number>;
  contracts: { name: string; kind: string; status: ContractStatus; endDate: string }[];
  surveyDeliveries: { first: number; reminders: number };
  /** `t.reports.*` at the end of the run; agent names instead of ids where they are rows. */
  sla: { byChannel: SlaComplianceRow[]; responseTimes: ResponseTimesRow[]; backlog: CaseBacklogRow[] };
  satisfaction: (SatisfactionRow & { agent: string })[];
  warrantyClaims: (WarrantyClaimRateRow & { product: string })[];
  contractRenewals: ContractRenewals;
  repeatPurchase: RepeatPurchase;
  deadLetters: number;
  triggerFailures: number;
}

/** Reads the outcome of a simulation from the CRM, the engine and the reports. */
export async function collectReport(sim: Simulation): Promise<AfterSalesReport> {
  const { t } = sim;
  const policies = new Map([sim.policies.premium, sim.policies.standard].map((p) => [p.id, p.name]));
  const cases = (await listAll((o) => t.cases.list(o), { orderBy: { number: 'asc' } })).map((c): CaseLine => ({
    number: c.number, subject: c.subject, channel: c.channel, policy: (c.slaPolicyId && policies.get(c.slaPolicyId)) || 'none', status: c.status,
    firstResponse: { minutes: c.firstResponseMinutes, businessMinutes: c.firstResponseBusinessMinutes, breached: c.firstResponseBreached },
    resolution: { minutes: c.resolutionMinutes, businessMinutes: c.resolutionBusinessMinutes, breached: c.resolutionBreached },
    satisfaction: c.satisfaction,
  }));
  const names = new Map((await listAll((o) => t.members.list(o))).map((m) => [m.id, m.name]));
  const products = new Map(Object.values(sim.catalogue).map((p) => [p.id, p.name]));
  const contracts = (await listAll((o) => t.contracts.list(o), { where: { kind: { notIn: ['warranty'] } }, orderBy: { startDate: 'asc' } }))
    .map((c) => ({ name: c.name, kind: c.kind, status: c.status, endDate: c.endDate }));
  const deliveries = sim.outbox.deliveries;
  return {
    simulated: { from: sim.startedAt.toISOString(), to: sim.clock.now().toISOString(), steps: sim.steps, elapsedMs: sim.elapsedMs },
    cases,
    instances: await instanceStates(sim),
    tasks: await taskLines(sim),
    events: sim.journal.counts(),
    contracts,
    surveyDeliveries: { first: deliveries.filter((d) => !d.reminder).length, reminders: deliveries.filter((d) => d.reminder).length },
    sla: {
      byChannel: await t.reports.slaCompliance({ by: 'channel' }),
      responseTimes: await t.reports.responseTimes({ by: 'priority' }),
      backlog: await t.reports.caseBacklog({ ageDays: [1, 3, 7] }),
    },
    satisfaction: (await t.reports.satisfaction({ by: 'agent' })).map((row) => ({ ...row, agent: (row.agentId && names.get(row.agentId)) || 'no agent' })),
    warrantyClaims: (await t.reports.warrantyClaimRate()).map((row) => ({ ...row, product: products.get(row.productId) ?? row.productId })),
    contractRenewals: await t.reports.contractRenewals({ withinDays: 30 }),
    repeatPurchase: await t.reports.repeatPurchase(),
    deadLetters: (await sim.engine.deadJobs(sim.tenantId)).length,
    triggerFailures: (await sim.triggers.failures(sim.tenantId)).length,
  };
}
