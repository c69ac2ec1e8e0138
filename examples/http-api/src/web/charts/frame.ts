import { px, type Svg, svg } from './svg.js';

/** What every chart says about itself. */
export interface ChartLabels {
  /** Ends up as `data-testid="chart-<name>"`, the selector tests and the browser test use. */
  name: string;
  /** The chart's heading, drawn on top and its accessible name. */
  title: string;
  /** One sentence read out by screen readers (`aria-label` with the title, and `<desc>`): what the chart shows in figures. */
  summary?: string;
}

/** The frame of a chart: the `<svg>` element with its accessible name, title and the drawing. */
export function chartFrame(labels: ChartLabels, size: { width: number; height: number }, body: Svg): Svg {
  const label = labels.summary ? `${labels.title}: ${labels.summary}` : labels.title;
  return svg`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-testid="chart-${labels.name}" role="img" aria-label="${label}" viewBox="0 0 ${px(size.width)} ${px(size.height)}" width="${px(size.width)}" height="${px(size.height)}" font-family="system-ui, sans-serif" font-size="12">
<title>${labels.title}</title>
${labels.summary ? svg`<desc>${labels.summary}</desc>` : ''}
<text class="chart-title" x="0" y="16" font-size="14" font-weight="600">${labels.title}</text>
${body}
</svg>`;
}

/**
 * A chart with nothing to draw: the same frame (so the page layout and its
 * selectors stay put) with the reason in its middle, by default "No data".
 */
export function emptyChart(labels: ChartLabels, message = 'No data', size = { width: 480, height: 120 }): Svg {
  return chartFrame({ ...labels, summary: message }, size, svg`<text class="chart-empty" x="${px(size.width / 2)}" y="${px(size.height / 2 + 12)}" text-anchor="middle" fill="#666">${message}</text>`);
}

/** A legend: one swatch and name per series, in a row below the title. */
export function legend(series: readonly { label: string; colour: string }[], y = 32): Svg {
  let x = 0;
  const items = series.map((s) => {
    const item = svg`<g class="legend-item"><rect x="${px(x)}" y="${y - 9}" width="10" height="10" fill="${s.colour}"></rect><text x="${px(x + 14)}" y="${y}">${s.label}</text></g>`;
    // Labels are short ("Moved on", "Best case"); 7px a character is a generous average at 12px.
    x += 24 + s.label.length * 7;
    return item;
  });
  return svg`<g class="legend">${items}</g>`;
}
