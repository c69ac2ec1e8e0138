import type { AnalyticsReport } from './run.js';

const pct = (rate: number | null | undefined): string => (rate == null ? '-' : `${(rate * 100).toFixed(1)}%`);
const usd = (minor: number): string => `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number): string => n.toLocaleString('en-US');

/** Prints the report to stdout, one block per dataset. */
export function printReport(report: AnalyticsReport, log: (line: string) => void = console.log): void {
  if (report.cdnow) {
    const { imported: i, figures: f } = report.cdnow;
    log(`CDNOW: ${count(i.customers)} customers, ${count(i.orders)} orders (already there: ${count(i.existing.customers)} / ${count(i.existing.orders)})`);
    log(`  import ${secs(report.cdnow.importMs)}, figures ${secs(report.cdnow.figuresMs)}`);
    const cell = (key: string) => count(f.rfm.cells.find((c) => c.cell === key)?.customers ?? 0);
    log(`  RFM (reference ${f.rfm.referenceDate}, ${count(f.rfm.customers)} customers): cell 555 ${cell('555')}, cell 111 ${cell('111')}, ` +
      `${f.rfm.distinctCells} distinct cells of 125`);
    log(`    segments: ${f.rfm.segments.map((s) => `${s.segment} ${count(s.customers)}`).join(', ')}`);
    const r = f.repeat;
    log(`  Repeat purchase  ${pct(r.repeatRate)} (${count(r.repeatCustomers)} of ${count(r.customers)} customers), ` +
      `days between consecutive orders: mean ${r.meanDaysBetweenOrders?.toFixed(1) ?? '-'}, median ${r.medianDaysBetweenOrders?.toFixed(1) ?? '-'}`);
    log('  Top customers by revenue');
    for (const c of f.top) log(`    ${String(c.rank).padStart(2)}. ${c.customerId}  ${usd(c.revenueMinor).padStart(11)}  ${String(c.orders).padStart(3)} orders`);
  }
  if (report.telco) {
    const { imported: i, figures: f } = report.telco;
    log(`Telco: ${count(i.customers)} customers, ${count(i.contracts)} contracts (already there: ${count(i.existing.customers)} / ${count(i.existing.contracts)})`);
    log(`  import ${secs(report.telco.importMs)}, figures ${secs(report.telco.figuresMs)}`);
    log('  Churn by contract kind (contracts that ended 2024-12-31)');
    for (const k of f.byKind) {
      log(`    ${k.kind.padEnd(13)} ${pct(k.churnRate).padStart(6)}  renewed ${count(k.renewed)}, expired ${count(k.expired)}, cancelled ${count(k.cancelled)}`);
    }
    const m = f.model;
    log(`  Churn model (${m.label}, cutoff ${m.cutoff.slice(0, 10)}, ${m.horizonDays} days): held-out AUC ${m.heldOutAuc?.toFixed(3) ?? '-'} ` +
      `on ${count(m.training.test)} customers (trained on ${count(m.training.train)}; ${count(m.training.churned)} of ${count(m.training.customers)} churned)`);
    for (const feature of [...m.features].sort((a, b) => Math.abs(b.coefficient) - Math.abs(a.coefficient))) {
      log(`    ${feature.name.padEnd(24)} ${feature.coefficient >= 0 ? '+' : ''}${feature.coefficient.toFixed(3)}`);
    }
  }
  if (report.olist) {
    const { imported: i, figures: f } = report.olist;
    log(`Olist: ${count(i.leads)} leads, ${count(i.wonDeals)} won deals (already there: ${count(i.existing.leads)} / ${count(i.existing.deals)})`);
    log(`  import ${secs(report.olist.importMs)}, figures ${secs(report.olist.figuresMs)}`);
    log('  Conversion by origin');
    for (const s of f.bySource) {
      log(`    ${(s.source ?? '(none)').padEnd(18)} ${pct(s.conversionRate).padStart(6)}  ${String(s.converted).padStart(3)} of ${count(s.contacts)}`);
    }
  }
}
