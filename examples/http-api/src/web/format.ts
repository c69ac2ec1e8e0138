import type { Contact, Money } from '@crmkit/core';
import { html } from 'hono/html';

const formats = new Map<string, Intl.NumberFormat>();

/** A formatter for a currency, made once: Intl formatters are costly to build and a board formats hundreds of amounts. */
function formatOf(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/** Money for people: `$12,500.00`. Minor units may be a bigint (beyond 2^53), so the split into major and minor is done in bigint. */
export function formatMoney(money: Money): string {
  const format = formatOf(money.currency);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const minor = BigInt(money.minor);
  const scale = 10n ** BigInt(digits);
  const major = minor / scale;
  const rest = (minor < 0n ? -minor : minor) % scale;
  // Number() keeps the major part exact up to 2^53 units, far beyond any deal; only the fraction goes through a float.
  return format.format(Number(major) + (minor < 0n ? -1 : 1) * (Number(rest) / Number(scale)));
}

/** A contact's name for a list: the full name, else the email or phone, else its id. */
export function contactName(contact: Pick<Contact, 'firstName' | 'lastName' | 'email' | 'phone' | 'id'>): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return name || contact.email || contact.phone || contact.id;
}

/** An instant for people, in UTC (the server does not know the reader's zone): `2026-03-02 09:00 UTC`. */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * An instant as a `<time data-local>`: {@link formatInstant} in UTC from the
 * server (and without script), which app.js rewrites in the reader's own
 * time zone and locale.
 */
export function localTime(iso: string) {
  return html`<time datetime="${iso}" data-local>${formatInstant(iso)}</time>`;
}

/**
 * What an SLA countdown says at `now`: `2h 14m left`, `overdue 5m`,
 * `1d 3h left`. app.js has the same rule, to tick it every second in the
 * browser; the server renders the first text so the page reads right
 * without script.
 */
export function countdownText(dueIso: string, now: Date): string {
  const ms = Date.parse(dueIso) - now.getTime();
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const span = days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${mins}m` : `${mins}m`;
  return ms >= 0 ? `${span} left` : `overdue ${span}`;
}
