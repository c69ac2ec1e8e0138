import { type AutomationReport, workflowIds } from './report.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const breakdown = (counts: Record<string, number>) =>
  Object.entries(counts).sort(([, a], [, b]) => b - a).map(([key, n]) => `${key} ${n}`).join(', ') || '-';

/** Prints the report compactly. */
export function printReport(report: AutomationReport): void {
  const days = (Date.parse(report.simulated.to) - Date.parse(report.simulated.from)) / 86_400_000;
  console.log(`\nImported     ${report.opportunities} opportunities -> ${report.dealsImported} deals, ${report.openAtGoLive} open at go-live; ${report.leads} leads`);
  console.log(`Simulated    ${report.simulated.from.slice(0, 10)} -> ${report.simulated.to.slice(0, 10)} (${days} days, ${report.simulated.steps} steps)\n`);
  console.log('Workflow             instances  where they are');
  for (const id of workflowIds) {
    console.log(`${id.padEnd(20)} ${String(total(report.instances[id])).padStart(9)}  ${breakdown(report.instances[id])}`);
  }
  console.log('\nTasks created        tasks  by kind');
  for (const id of workflowIds) {
    console.log(`${id.padEnd(20)} ${String(total(report.tasks[id])).padStart(5)}  ${breakdown(report.tasks[id])}`);
  }
  console.log(`\nEscalations  ${report.escalations.leads} leads not contacted in time, ${report.escalations.discounts} discounts above the limit (manager tasks)`);
  console.log(`Campaign     ${report.enrolments} win-back enrolments`);
  console.log(`Dead letters ${report.deadLetters}; trigger failures ${report.triggerFailures}`);
  console.log(`Elapsed      import ${seconds(report.elapsedMs.import)}, simulation ${seconds(report.elapsedMs.simulation)}`);
}
