/**
 * The top of a value axis: `max` rounded up to 1, 2, 2.5 or 5 times a power
 * of ten, so that ticks land on round numbers. 1 when there is nothing to
 * show, so that scales never divide by zero.
 */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

/** `count + 1` evenly spaced tick values from 0 to `top`. */
export function ticks(top: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (top * i) / count);
}

/** Maps values from 0..`top` onto 0..`length` pixels; negative values clamp to 0 (the charts show counts and amounts). */
export function linearScale(top: number, length: number): (value: number) => number {
  return (value) => (Math.max(0, value) / top) * length;
}

/** A number as a chart label: whole numbers as is, others to at most two decimals, with thousands separators. */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
