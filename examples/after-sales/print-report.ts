import type { AfterSalesReport } from './report.js';
import { workflowIds } from './workflow-figures.js';

const pct = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
const min = (minutes: number | null) => (minutes === null ? '-' : `${Math.round(minutes)}`);
const breakdown = (counts: Record<string, number>) =>
  Object.entries(counts).sort(([, a], [, b]) => b - a).map(([key, n]) => `${key} ${n}`).join(', ') || '-';
const met = (breached: boolean | null) => (breached === null ? ' ' : breached ? '!' : '✓');
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const n = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;

/** Prints the run and the SLA report compactly. */
export function printReport(report: AfterSalesReport): void {
  const { simulated, sla } = report;
  console.log(`\nSimulated    ${simulated.from.slice(0, 16)} -> ${simulated.to.slice(0, 16)} UTC, ${simulated.steps} clock moves, ${(simulated.elapsedMs / 1000).toFixed(1)} s`);

  console.log('\nCases (minutes / business minutes, net of paused time; ✓ met, ! breached)');
  console.log('Case  channel  policy                          status    first response  resolution   CSAT');
  for (const c of report.cases) {
    const first = `${min(c.firstResponse.minutes)}/${min(c.firstResponse.businessMinutes)} ${met(c.firstResponse.breached)}`;
    const resolution = `${min(c.resolution.minutes)}/${min(c.resolution.businessMinutes)} ${met(c.resolution.breached)}`;
    console.log(`#${String(c.number).padEnd(4)} ${c.channel.padEnd(8)} ${c.policy.padEnd(31)} ${c.status.padEnd(9)} ${first.padEnd(15)} ${resolution.padEnd(12)} ${c.satisfaction ?? '-'}`);
  }

  console.log('\nWorkflow             instances by state');
  for (const id of workflowIds) console.log(`${id.padEnd(20)} ${breakdown(report.instances[id])}`);
  console.log('\nTasks');
  for (const task of report.tasks) console.log(`  [${task.source}] ${task.title} -> ${task.assignee}`);
  const { events } = report;
  const count = (type: string) => events[type] ?? 0;
  console.log(`\nEvents       ${n(count('case.slaWarning'), 'SLA warning')}, ${n(count('case.slaBreached'), 'SLA breach', 'SLA breaches')}, ${n(count('survey.detractor'), 'detractor')}, `
    + `${n(count('contract.renewed'), 'renewal')}; ${n(report.surveyDeliveries.first, 'survey')} delivered, ${n(report.surveyDeliveries.reminders, 'reminder')}`);
  console.log(`Contracts    ${report.contracts.map((c) => `${c.name} (${c.kind}, to ${c.endDate}): ${c.status}`).join('; ')}`);

  console.log('\nSLA compliance   cases  first response        resolution');
  const line = (label: string, cases: number, fm: number, fb: number, rm: number, rb: number) =>
    console.log(`${label.padEnd(16)} ${String(cases).padStart(5)}  ${`${fm}/${fm + fb} met ${pct(fm + fb ? fm / (fm + fb) : null)}`.padEnd(20)}  ${rm}/${rm + rb} met ${pct(rm + rb ? rm / (rm + rb) : null)}`);
  for (const r of sla.byChannel) line(r.channel ?? '-', r.cases, r.firstResponse.met, r.firstResponse.breached, r.resolution.met, r.resolution.breached);
  const rows = sla.byChannel;
  line('all', sum(rows.map((r) => r.cases)), sum(rows.map((r) => r.firstResponse.met)), sum(rows.map((r) => r.firstResponse.breached)),
    sum(rows.map((r) => r.resolution.met)), sum(rows.map((r) => r.resolution.breached)));

  const widths = [5, 6, 6, 15, 12];
  const columns = (label: string, cells: string[]) => `${label.padEnd(45)}${cells.map((cell, i) => cell.padStart((widths[i] ?? 0) + 2)).join('')}`;
  console.log(`\n${columns('Response times (minutes, net of paused time)', ['cases', 'median', 'p90', 'business median', 'business p90'])}`);
  for (const r of sla.responseTimes) {
    for (const [label, f] of [['first response', r.firstResponse], ['resolution', r.resolution]] as const) {
      console.log(columns(`${label} (${r.priority ?? 'all'})`, [String(f.count), min(f.median), min(f.p90), min(f.businessMedian), min(f.businessP90)]));
    }
  }
  for (const b of sla.backlog) {
    console.log(`Backlog      ${b.open} ${b.status} ${b.priority} (${b.overdue} overdue; by age ${b.ages.map((a) => `${a.fromDays}-${a.toDays ?? '∞'}d: ${a.count}`).join(', ')})`);
  }
  if (sla.backlog.length === 0) console.log('Backlog      no open cases');

  console.log('\nSatisfaction');
  for (const r of report.satisfaction) {
    const csat = r.csat.responses ? `CSAT ${r.csat.average?.toFixed(2)} (${n(r.csat.responses, 'answer')}, ${pct(r.csat.satisfiedShare)} satisfied)` : '';
    const nps = r.nps.responses ? `NPS ${r.nps.score} (${n(r.nps.responses, 'answer')})` : '';
    console.log(`  ${r.agent.padEnd(12)} ${[csat, nps].filter(Boolean).join(', ')}`);
  }
  console.log(`Warranty     ${report.warrantyClaims.map((w) => `${w.product}: ${n(w.claims, 'claim')} / ${n(w.assets, 'unit')}`).join('; ')}`);
  const { expiring, renewals } = report.contractRenewals;
  console.log(`Renewals     ${renewals.map((r) => `${r.kind}: ${r.renewed} renewed, ${r.expired} lapsed`).join('; ') || '-'}; expiring in 30 days: ${expiring.map((e) => `${e.count} ${e.kind}`).join(', ') || 'none'}`);
  const repeat = report.repeatPurchase;
  console.log(`Repeat       ${repeat.repeatCustomers} of ${repeat.customers} customers bought again (${pct(repeat.repeatRate)})`);
  console.log(`Dead letters ${report.deadLetters}; trigger failures ${report.triggerFailures}`);
}
