import { bottomCategoryLabels, leftValueAxis } from './axis.js';
import { type ChartLabels, chartFrame, emptyChart, legend } from './frame.js';
import { formatNumber, niceMax } from './scale.js';
import { coloured, type Series } from './series.js';
import { px, type Svg, svg } from './svg.js';

/** One line: a value per x position, `null` where nothing was measured (the line breaks there). */
export interface LineSeries extends Series {
  values: readonly (number | null)[];
  /** Extra text for each point's tooltip, after "x · series: value" (e.g. "9 met, 1 breached"). */
  notes?: readonly (string | undefined)[];
}

/** A line chart over ordered categories (periods). */
export interface LineChartOptions extends ChartLabels {
  /** The x positions, in order: period keys. */
  xLabels: readonly string[];
  series: readonly LineSeries[];
  /** The value at the top of the axis; 1 for rates. @default the highest value, rounded up */
  top?: number;
  format?: (value: number) => string;
  valueTitle?: string;
}

const plotHeight = 180;
const left = 60;
const step = 90;

/**
 * Lines over periods: a point per measured value (with a `<title>` tooltip
 * naming the period, the series and the value), joined within runs of
 * measured values; a `null` leaves a gap instead of pretending a value. A
 * chart without a single measured value is an {@link emptyChart}.
 */
export function lineChart(options: LineChartOptions): Svg {
  const measured = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (options.xLabels.length === 0 || measured.length === 0) return emptyChart(options);
  const series = coloured(options.series);
  const format = options.format ?? formatNumber;
  const top = options.top ?? niceMax(Math.max(...measured));
  const plotTop = 64;
  const xOf = (i: number) => left + step / 2 + i * step;
  const yOf = (v: number) => plotTop + plotHeight - (Math.min(Math.max(v, 0), top) / top) * plotHeight;
  const lines = options.series.map((line, s) => {
    const colour = series[s]!.colour;
    const runs: string[] = [];
    let run: string[] = [];
    line.values.forEach((v, i) => {
      if (v === null) {
        if (run.length > 1) runs.push(run.join(' '));
        run = [];
      } else run.push(`${run.length === 0 ? 'M' : 'L'}${px(xOf(i))},${px(yOf(v))}`);
    });
    if (run.length > 1) runs.push(run.join(' '));
    const points = line.values.map((v, i) => (v === null ? '' : svg`<circle class="point" data-series="${line.label}" data-x="${options.xLabels[i] ?? ''}" data-value="${v}" cx="${px(xOf(i))}" cy="${px(yOf(v))}" r="4" fill="${colour}"><title>${options.xLabels[i] ?? ''} · ${line.label}: ${format(v)}${line.notes?.[i] ? ` (${line.notes[i]})` : ''}</title></circle>`));
    return svg`<g class="line" data-series="${line.label}">${runs.map((d) => svg`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"></path>`)}${points}</g>`;
  });
  const width = left + options.xLabels.length * step;
  const axis = leftValueAxis({ x: left, y: plotTop, width: width - left, height: plotHeight, top, format, title: options.valueTitle });
  const labels = options.xLabels.map((text, i) => ({ text, x: xOf(i) }));
  const body = svg`${legend(series)}${axis}${lines}${bottomCategoryLabels(labels, plotTop + plotHeight + 16)}`;
  return chartFrame(options, { width: Math.max(width + 20, 360), height: plotTop + plotHeight + 30 }, body);
}
