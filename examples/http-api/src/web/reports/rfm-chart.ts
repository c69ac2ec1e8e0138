import type { RfmReport } from '@crmkit/core';
import { emptyChart, type HeatCell, heatGrid, type Svg } from '../charts/index.js';

const labels = { name: 'rfm', title: 'RFM: recency × frequency' };
const scores = [1, 2, 3, 4, 5] as const;

/**
 * The RFM grid of `reports.rfm`: customers per recency score (rows, 5 the
 * most recent on top) and frequency score (columns), the M scores folded
 * into each cell (their mean and the segments in the tooltip). `refused` is
 * why the report could not be computed (orders in several currencies and
 * none chosen), shown in place of the grid.
 */
export function rfmChart(report: RfmReport | { refused: string }): Svg {
  if ('refused' in report) return emptyChart(labels, report.refused);
  const cells: HeatCell[][] = [...scores].reverse().map((r) => scores.map((f) => {
    const inCell = report.cells.filter((c) => c.r === r && c.f === f);
    const customers = inCell.reduce((sum, c) => sum + c.customers, 0);
    if (customers === 0) return { value: 0 };
    const meanM = inCell.reduce((sum, c) => sum + c.m * c.customers, 0) / customers;
    const segments = [...new Set(inCell.map((c) => c.segment))].join(', ');
    return { value: customers, note: `mean M score ${meanM.toFixed(1)}; ${segments}` };
  }));
  return heatGrid({
    ...labels,
    summary: `${report.customers} customers scored, reference date ${report.referenceDate}${report.currency ? `, M in ${report.currency}` : ''}`,
    rows: [...scores].reverse().map((r) => `R ${r}`),
    columns: scores.map((f) => `F ${f}`),
    cells,
    rowTitle: 'Recency score',
    columnTitle: 'Frequency score',
  });
}
