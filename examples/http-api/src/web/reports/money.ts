import type { Money } from '@crmkit/core';

/** The number of minor units in a major one for a currency (100 for USD, 1 for JPY), as Intl knows it. */
function minorPerMajor(currency: string): number {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return 10 ** digits;
}

/** The amount in `currency` of a list of per-currency sums, in major units (0 when the currency is not among them). */
export function amountIn(amounts: readonly Money[], currency: string): number {
  const found = amounts.find((m) => m.currency === currency);
  return found === undefined ? 0 : Number(found.minor) / minorPerMajor(currency);
}

/** A formatter of major units in `currency` for chart labels: "$12,500", whole units (axis ticks and bar labels, not an invoice). */
export function moneyFormat(currency: string): (value: number) => string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
  return (value) => format.format(value);
}

/** A rate from 0 to 1 as a whole percentage. */
export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}
