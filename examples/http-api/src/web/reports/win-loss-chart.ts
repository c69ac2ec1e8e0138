import type { WinLossRow } from '@crmkit/core';
import { barChart, type Svg } from '../charts/index.js';
import { percent } from './money.js';

/**
 * Won against lost deals of `reports.winLoss` (one row: the chosen pipeline),
 * then the top loss reasons, most frequent first, and the deals lost for
 * other reasons, as horizontal bars counting deals.
 */
export function winLossChart(row: WinLossRow | undefined): Svg {
  const reasons = (row?.lossReasons ?? []).map((r) => ({ label: `Lost: ${r.reason ?? 'no reason given'}`, values: [r.count], colour: '#d55e00' }));
  const other = row && row.otherLossReasons > 0 ? [{ label: 'Lost: other reasons', values: [row.otherLossReasons], colour: '#d55e00' }] : [];
  return barChart({
    name: 'win-loss',
    title: 'Won and lost, with loss reasons',
    summary: row ? `${row.won} won, ${row.lost} lost, win rate ${percent(row.winRate)}` : 'no closed deals',
    series: [{ label: 'Deals' }],
    groups: row
      ? [{ label: 'Won', values: [row.won], colour: '#009e73', notes: [`win rate ${percent(row.winRate)}`] }, { label: 'Lost', values: [row.lost], colour: '#cc79a7' }, ...reasons, ...other]
      : [],
    valueTitle: 'closed deals',
  });
}
