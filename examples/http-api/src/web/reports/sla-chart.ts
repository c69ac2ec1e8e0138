import type { SlaComplianceRow, SlaTargetCompliance } from '@crmkit/core';
import { lineChart, type Svg } from '../charts/index.js';
import { percent } from './money.js';

const note = (target: SlaTargetCompliance) => `${target.met} met, ${target.breached} breached`;

/**
 * SLA compliance over time from `reports.slaCompliance` grouped by period
 * (of opening): the share of cases that met their first-response target and
 * their resolution target, one line each, from 0 to 100 %. A period where no
 * case was measured against a target leaves a gap in its line.
 */
export function slaChart(rows: readonly SlaComplianceRow[]): Svg {
  return lineChart({
    name: 'sla',
    title: 'SLA compliance by period',
    summary: `share of cases that met their targets, over ${rows.length} periods`,
    xLabels: rows.map((r) => r.period ?? ''),
    series: [
      { label: 'First response met', values: rows.map((r) => r.firstResponse.rate), notes: rows.map((r) => note(r.firstResponse)) },
      { label: 'Resolution met', values: rows.map((r) => r.resolution.rate), notes: rows.map((r) => note(r.resolution)) },
    ],
    top: 1,
    format: percent,
    valueTitle: '% of measured cases',
  });
}
