import { bottomCategoryLabels, bottomValueAxis, leftValueAxis } from './axis.js';
import { type ChartLabels, chartFrame, emptyChart, legend } from './frame.js';
import { formatNumber, linearScale, niceMax } from './scale.js';
import { type BarData, barTooltip, coloured, hasValues } from './series.js';
import { px, type Svg, svg } from './svg.js';

/** A bar chart: its labels, data and which way the bars run. */
export interface BarChartOptions extends ChartLabels, BarData {
  /** `horizontal`: bars from a label column to the right (long labels, rankings); `vertical`: columns over categories. @default 'horizontal' */
  orientation?: 'horizontal' | 'vertical';
}

const barThickness = 14;
const groupGap = 10;
const plotLength = 340;
/** The label column of horizontal bars: wide enough for the longest label, within bounds. */
const minLabelWidth = 150;
const maxLabelWidth = 300;
/** About the width of a character at 12 px in a sans-serif face: labels are not measured, there is no layout engine. */
const charWidth = 6.6;
/** Characters of a label that fit in the widest column; a longer one is cut with an ellipsis (its `<title>` has it whole). */
const maxLabelChars = Math.floor((maxLabelWidth - 12) / charWidth);

function shortLabel(label: string): string {
  return label.length <= maxLabelChars ? label : `${label.slice(0, maxLabelChars - 1).trimEnd()}…`;
}

/** A label as drawn: whole, or cut with the whole one as its tooltip. */
function labelText(label: string): Svg {
  const short = shortLabel(label);
  return short === label ? svg`${label}` : svg`${short}<title>${label}</title>`;
}

/**
 * A bar chart, grouped when there are several series: each bar's length is
 * proportional to its value (0 at the axis), labelled with the value at its
 * end, with a `<title>` tooltip naming the category, series and value. A
 * chart without any value other than 0 is an {@link emptyChart}.
 * @example
 * barChart({ name: 'win-loss', title: 'Won and lost', series: [{ label: 'Deals' }], groups: [{ label: 'Won', values: [3] }, { label: 'Lost', values: [2] }] });
 */
export function barChart(options: BarChartOptions): Svg {
  if (options.series.length === 0 || !hasValues(options.groups)) return emptyChart(options);
  return (options.orientation ?? 'horizontal') === 'horizontal' ? horizontal(options) : vertical(options);
}

/** The highest value of the chart, rounded up for the axis. */
function axisTop(options: BarData): number {
  return niceMax(Math.max(...options.groups.flatMap((g) => g.values)));
}

function horizontal(options: BarChartOptions): Svg {
  const series = coloured(options.series);
  const format = options.format ?? formatNumber;
  const top = axisTop(options);
  const length = linearScale(top, plotLength);
  const plotTop = series.length > 1 ? 44 : 28;
  const groupHeight = series.length * barThickness + groupGap;
  const plotHeight = options.groups.length * groupHeight;
  const longest = Math.max(...options.groups.map((g) => shortLabel(g.label).length));
  const labelWidth = Math.min(maxLabelWidth, Math.max(minLabelWidth, Math.ceil(longest * charWidth) + 12));
  const rows = options.groups.map((group, g) => {
    const y0 = plotTop + g * groupHeight + groupGap / 2;
    const bars = series.map((s, i) => {
      const value = group.values[i] ?? 0;
      const y = y0 + i * barThickness;
      const w = length(value);
      return svg`<rect class="bar" data-group="${group.label}" data-series="${s.label}" data-value="${value}" x="${labelWidth}" y="${px(y)}" width="${px(w)}" height="${barThickness - 2}" fill="${group.colour ?? s.colour}"><title>${barTooltip(group, s.label, i, format(value))}</title></rect><text class="bar-value" x="${px(labelWidth + w + 4)}" y="${px(y + barThickness - 4)}" fill="#333">${format(value)}</text>`;
    });
    return svg`<g class="bar-group"><text class="bar-label" x="${labelWidth - 8}" y="${px(y0 + (series.length * barThickness) / 2 + 4)}" text-anchor="end" fill="#333">${labelText(group.label)}</text>${bars}</g>`;
  });
  const axis = bottomValueAxis({ x: labelWidth, y: plotTop, width: plotLength, height: plotHeight, top, format, title: options.valueTitle });
  const body = svg`${series.length > 1 ? legend(series) : ''}${axis}${rows}`;
  return chartFrame(options, { width: labelWidth + plotLength + 60, height: plotTop + plotHeight + 40 }, body);
}

function vertical(options: BarChartOptions): Svg {
  const series = coloured(options.series);
  const format = options.format ?? formatNumber;
  const top = axisTop(options);
  const plotHeight = 200;
  const height = linearScale(top, plotHeight);
  const left = 60;
  const plotTop = series.length > 1 ? 60 : 44;
  const groupWidth = Math.max(80, series.length * 22 + groupGap * 2);
  const barWidth = (groupWidth - groupGap * 2) / series.length;
  const base = plotTop + plotHeight;
  const columns = options.groups.map((group, g) => {
    const x0 = left + g * groupWidth + groupGap;
    return svg`<g class="bar-group">${series.map((s, i) => {
      const value = group.values[i] ?? 0;
      const h = height(value);
      const x = x0 + i * barWidth;
      return svg`<rect class="bar" data-group="${group.label}" data-series="${s.label}" data-value="${value}" x="${px(x)}" y="${px(base - h)}" width="${px(barWidth - 2)}" height="${px(h)}" fill="${group.colour ?? s.colour}"><title>${barTooltip(group, s.label, i, format(value))}</title></rect><text class="bar-value" x="${px(x + barWidth / 2)}" y="${px(base - h - 4)}" text-anchor="middle" fill="#333">${format(value)}</text>`;
    })}</g>`;
  });
  const labels = options.groups.map((group, g) => ({ text: group.label, x: left + g * groupWidth + groupWidth / 2 }));
  const width = left + options.groups.length * groupWidth;
  const axis = leftValueAxis({ x: left, y: plotTop, width: width - left, height: plotHeight, top, format, title: options.valueTitle });
  const body = svg`${series.length > 1 ? legend(series) : ''}${axis}${columns}${bottomCategoryLabels(labels, base + 16)}`;
  return chartFrame(options, { width: Math.max(width + 20, 320), height: base + 30 }, body);
}
