import { bottomCategoryLabels, leftValueAxis } from './axis.js';
import { type ChartLabels, chartFrame, emptyChart, legend } from './frame.js';
import { formatNumber, linearScale, niceMax } from './scale.js';
import { type BarData, barTooltip, coloured, hasValues } from './series.js';
import { px, type Svg, svg } from './svg.js';

/** A stacked column chart: its labels and data (a group's series stack on each other). */
export interface StackedBarChartOptions extends ChartLabels, BarData {}

const plotHeight = 200;
const left = 70;
const columnWidth = 44;
// A slot of 84 px fits a label of a period start ("2026-12-01") or "No close date" at 12 px.
const gap = 40;

/**
 * Stacked columns, one per group (a period), one segment per series from the
 * bottom up in series order: each segment's height is proportional to its
 * value, the column's total is written on top, and every segment has a
 * `<title>` tooltip. Without any value other than 0 it is an {@link emptyChart}.
 */
export function stackedBarChart(options: StackedBarChartOptions): Svg {
  if (options.series.length === 0 || !hasValues(options.groups)) return emptyChart(options);
  const series = coloured(options.series);
  const format = options.format ?? formatNumber;
  const totals = options.groups.map((g) => g.values.reduce((sum, v) => sum + Math.max(0, v), 0));
  const top = niceMax(Math.max(...totals));
  const height = linearScale(top, plotHeight);
  const plotTop = 64;
  const base = plotTop + plotHeight;
  const columns = options.groups.map((group, g) => {
    const x = left + gap / 2 + g * (columnWidth + gap);
    let y = base;
    const segments = series.map((s, i) => {
      const value = group.values[i] ?? 0;
      const h = height(value);
      y -= h;
      // A zero segment is still in the markup (its figure is in the data), just without height.
      return svg`<rect class="bar" data-group="${group.label}" data-series="${s.label}" data-value="${value}" x="${px(x)}" y="${px(y)}" width="${columnWidth}" height="${px(h)}" fill="${s.colour}"><title>${barTooltip(group, s.label, i, format(value))}</title></rect>`;
    });
    return svg`<g class="bar-group" data-group="${group.label}" data-total="${totals[g]!}">${segments}<text class="bar-total" x="${px(x + columnWidth / 2)}" y="${px(y - 4)}" text-anchor="middle" fill="#333">${format(totals[g]!)}</text></g>`;
  });
  const width = left + options.groups.length * (columnWidth + gap);
  const labels = options.groups.map((group, g) => ({ text: group.label, x: left + gap / 2 + g * (columnWidth + gap) + columnWidth / 2 }));
  const axis = leftValueAxis({ x: left, y: plotTop, width: width - left, height: plotHeight, top, format, title: options.valueTitle });
  const body = svg`${legend(series)}${axis}${columns}${bottomCategoryLabels(labels, base + 16)}`;
  return chartFrame(options, { width: Math.max(width + 20, 360), height: base + 30 }, body);
}
