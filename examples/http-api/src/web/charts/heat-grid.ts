import { type ChartLabels, chartFrame, emptyChart } from './frame.js';
import { formatNumber } from './scale.js';
import { px, type Svg, svg } from './svg.js';

/** One cell of a heat map. */
export interface HeatCell {
  value: number;
  /** Extra text for the tooltip, after "row · column: value" (e.g. "mean M score 4.2"). */
  note?: string;
}

/** A heat map: a grid of rows by columns, colour intensity by value. */
export interface HeatGridOptions extends ChartLabels {
  /** Row labels, top to bottom. */
  rows: readonly string[];
  /** Column labels, left to right. */
  columns: readonly string[];
  /** `cells[row][column]`; a missing cell is 0. */
  cells: readonly (readonly (HeatCell | undefined)[])[];
  /** What the rows and columns are ("Recency score", "Frequency score"). */
  rowTitle?: string;
  columnTitle?: string;
  /** @default '#0072b2' */
  colour?: string;
  format?: (value: number) => string;
}

const cellSize = 48;
const left = 90;
const top = 60;

/**
 * A heat map: each cell's fill opacity is its value over the grid's highest
 * (0 stays blank), the value is written in the cell, and a `<title>` tooltip
 * names the row, column and value. A grid whose values are all 0 is an
 * {@link emptyChart}.
 */
export function heatGrid(options: HeatGridOptions): Svg {
  const format = options.format ?? formatNumber;
  const valueAt = (r: number, c: number) => options.cells[r]?.[c]?.value ?? 0;
  const max = Math.max(0, ...options.rows.flatMap((_, r) => options.columns.map((__, c) => valueAt(r, c))));
  if (max === 0) return emptyChart(options);
  const colour = options.colour ?? '#0072b2';
  const cells = options.rows.map((row, r) => options.columns.map((column, c) => {
    const value = valueAt(r, c);
    const note = options.cells[r]?.[c]?.note;
    const x = left + c * cellSize;
    const y = top + r * cellSize;
    const intensity = value / max;
    return svg`<g class="cell" data-row="${row}" data-column="${column}" data-value="${value}"><rect x="${x}" y="${y}" width="${cellSize - 2}" height="${cellSize - 2}" fill="${colour}" fill-opacity="${px(intensity)}" stroke="#ddd"><title>${row} · ${column}: ${format(value)}${note ? ` (${note})` : ''}</title></rect>${
      value === 0 ? '' : svg`<text x="${x + cellSize / 2 - 1}" y="${y + cellSize / 2 + 3}" text-anchor="middle" fill="${intensity > 0.55 ? '#fff' : '#222'}">${format(value)}</text>`
    }</g>`;
  }));
  const rowLabels = options.rows.map((row, r) => svg`<text x="${left - 8}" y="${top + r * cellSize + cellSize / 2 + 3}" text-anchor="end" fill="#333">${row}</text>`);
  const columnLabels = options.columns.map((column, c) => svg`<text x="${left + c * cellSize + cellSize / 2 - 1}" y="${top - 8}" text-anchor="middle" fill="#333">${column}</text>`);
  const gridBottom = top + options.rows.length * cellSize;
  const titles = svg`${options.columnTitle ? svg`<text class="axis-title" x="${px(left + (options.columns.length * cellSize) / 2)}" y="${top - 26}" text-anchor="middle" fill="#333">${options.columnTitle}</text>` : ''}${
    options.rowTitle ? svg`<text class="axis-title" x="14" y="${px((top + gridBottom) / 2)}" text-anchor="middle" fill="#333" transform="rotate(-90 14 ${px((top + gridBottom) / 2)})">${options.rowTitle}</text>` : ''
  }`;
  const body = svg`${titles}<g class="axis">${rowLabels}${columnLabels}</g>${cells}`;
  return chartFrame(options, { width: left + options.columns.length * cellSize + 20, height: gridBottom + 20 }, body);
}
