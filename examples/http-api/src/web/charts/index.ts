/**
 * Server-rendered SVG charts for the web pages: pure functions from data to
 * markup built with hono's `html` template (every label escaped), no chart
 * library and no script. Each chart is `role="img"` with an accessible name,
 * has axes and labels, and a `<title>` tooltip on every mark.
 */
export { barChart, type BarChartOptions } from './bar-chart.js';
export { stackedBarChart, type StackedBarChartOptions } from './stacked-bar-chart.js';
export { lineChart, type LineChartOptions, type LineSeries } from './line-chart.js';
export { heatGrid, type HeatCell, type HeatGridOptions } from './heat-grid.js';
export { type ChartLabels, emptyChart } from './frame.js';
export type { BarGroup, Series } from './series.js';
export type { Svg } from './svg.js';
