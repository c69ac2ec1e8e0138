import { formatNumber, ticks } from './scale.js';
import { px, type Svg, svg } from './svg.js';

/** Where a value axis is drawn: the plot's box in pixels and the value at its far end. */
export interface ValueAxis {
  /** Left edge, top edge, width and height of the plot area. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The value at the end of the axis (from `niceMax`, or 1 for rates). */
  top: number;
  format?: ((value: number) => string) | undefined;
  /** Says what the values are: "deals", "USD", "% met". */
  title?: string | undefined;
}

/** A value axis along the bottom of the plot (horizontal bars): ticks, grid lines up through the plot, and the axis title. */
export function bottomValueAxis(axis: ValueAxis): Svg {
  const format = axis.format ?? formatNumber;
  const base = axis.y + axis.height;
  const marks = ticks(axis.top).map((value) => {
    const x = px(axis.x + (value / axis.top) * axis.width);
    return svg`<line x1="${x}" y1="${px(axis.y)}" x2="${x}" y2="${px(base)}" stroke="#e5e5e5"></line><text x="${x}" y="${px(base + 14)}" text-anchor="middle" fill="#555">${format(value)}</text>`;
  });
  return svg`<g class="axis axis-value">${marks}<line x1="${px(axis.x)}" y1="${px(base)}" x2="${px(axis.x + axis.width)}" y2="${px(base)}" stroke="#999"></line>${
    axis.title ? svg`<text class="axis-title" x="${px(axis.x + axis.width / 2)}" y="${px(base + 30)}" text-anchor="middle" fill="#333">${axis.title}</text>` : ''
  }</g>`;
}

/** A value axis along the left of the plot (columns, lines): ticks, grid lines across the plot, and the axis title. */
export function leftValueAxis(axis: ValueAxis): Svg {
  const format = axis.format ?? formatNumber;
  const marks = ticks(axis.top).map((value) => {
    const y = px(axis.y + axis.height - (value / axis.top) * axis.height);
    return svg`<line x1="${px(axis.x)}" y1="${y}" x2="${px(axis.x + axis.width)}" y2="${y}" stroke="#e5e5e5"></line><text x="${px(axis.x - 6)}" y="${px(y + 4)}" text-anchor="end" fill="#555">${format(value)}</text>`;
  });
  return svg`<g class="axis axis-value">${marks}<line x1="${px(axis.x)}" y1="${px(axis.y)}" x2="${px(axis.x)}" y2="${px(axis.y + axis.height)}" stroke="#999"></line>${
    axis.title ? svg`<text class="axis-title" x="${px(axis.x)}" y="${px(axis.y - 8)}" text-anchor="start" fill="#333">${axis.title}</text>` : ''
  }</g>`;
}

/** Category labels under a plot, one centred at each x. */
export function bottomCategoryLabels(labels: readonly { text: string; x: number }[], y: number): Svg {
  return svg`<g class="axis axis-category">${labels.map((l) => svg`<text x="${px(l.x)}" y="${px(y)}" text-anchor="middle" fill="#333">${l.text}</text>`)}</g>`;
}
