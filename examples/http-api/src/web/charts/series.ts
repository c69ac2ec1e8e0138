import { seriesColour } from './palette.js';

/** One series of a multi-series chart: a name for the legend and tooltips, and its colour. */
export interface Series {
  label: string;
  /** @default the palette's colour for the series' position */
  colour?: string;
}

/** One category of a bar chart (a stage, a period): a value per series, in the order of the chart's series. */
export interface BarGroup {
  label: string;
  values: readonly number[];
  /** Extra text for the tooltip of each bar, after "group · series: value" (e.g. "3 deals"). */
  notes?: readonly (string | undefined)[];
  /** The bars' colour instead of the series', for single-series charts whose categories mean something (won, lost). */
  colour?: string;
}

/** The data of the bar charts: categories of values, one per series. */
export interface BarData {
  series: readonly Series[];
  groups: readonly BarGroup[];
  /** How values read in labels and tooltips. @default thousands separators, two decimals at most */
  format?: (value: number) => string;
  /** What the values are, under (or above) the value axis. */
  valueTitle?: string;
}

/** The series with their colours settled. */
export function coloured(series: readonly Series[]): { label: string; colour: string }[] {
  return series.map((s, i) => ({ label: s.label, colour: s.colour ?? seriesColour(i) }));
}

/** Whether there is anything to draw: some group with a value other than 0. */
export function hasValues(groups: readonly BarGroup[]): boolean {
  return groups.some((g) => g.values.some((v) => v !== 0));
}

/** The tooltip of one bar. */
export function barTooltip(group: BarGroup, series: string, index: number, text: string): string {
  const note = group.notes?.[index];
  return `${group.label} · ${series}: ${text}${note ? ` (${note})` : ''}`;
}
