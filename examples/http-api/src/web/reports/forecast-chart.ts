import { type ForecastRow, forecastReportCategories } from '@crmkit/core';
import { stackedBarChart, type Svg } from '../charts/index.js';
import { amountIn, moneyFormat } from './money.js';

const categoryLabels = { pipeline: 'Pipeline', best_case: 'Best case', commit: 'Commit', closed: 'Closed' } as const;

/** The label of a forecast period: its first day, or "No close date" for open deals without `expectedCloseOn`. */
const periodLabel = (period: string | null) => period ?? 'No close date';

/**
 * The forecast of `reports.forecast` in one currency: a column per period,
 * stacked by forecast category (pipeline at the bottom, closed on top), each
 * segment the deals' amount with their count in its tooltip. Amounts in
 * other currencies are not converted, so they are not in this chart.
 */
export function forecastChart(rows: readonly ForecastRow[], currency: string): Svg {
  const periods = [...new Set(rows.map((r) => r.period))];
  const cell = (period: string | null, category: (typeof forecastReportCategories)[number]) => rows.find((r) => r.period === period && r.category === category);
  return stackedBarChart({
    name: 'forecast',
    title: `Forecast by period (${currency})`,
    summary: `deal amounts per period and forecast category, in ${currency}`,
    series: forecastReportCategories.map((category) => ({ label: categoryLabels[category] })),
    groups: periods.map((period) => {
      const cells = forecastReportCategories.map((category) => cell(period, category));
      return {
        label: periodLabel(period),
        values: cells.map((c) => (c ? amountIn(c.amounts, currency) : 0)),
        notes: cells.map((c) => (c ? `${c.count} deals, weighted ${moneyFormat(currency)(amountIn(c.weightedAmounts, currency))}` : undefined)),
      };
    }),
    format: moneyFormat(currency),
    valueTitle: currency,
  });
}
