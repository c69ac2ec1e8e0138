import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** Markup built by {@link svg}: every interpolated value escaped, safe to put in a page as is. */
export type Svg = HtmlEscapedString;

/**
 * hono's `html` template for chart markup, kept synchronous. `html` returns a
 * promise only when a value is one; charts interpolate numbers, strings and
 * other {@link Svg} only, so a promise here is a bug and throws rather than
 * leaking `[object Promise]` into a page.
 */
export function svg(strings: TemplateStringsArray, ...values: unknown[]): Svg {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new TypeError('Chart markup must not interpolate promises');
  return out;
}

/** A coordinate or length for an attribute: two decimals are below a pixel's worth and keep the markup short. */
export function px(value: number): number {
  return Math.round(value * 100) / 100;
}
