import { distance } from 'fastest-levenshtein';

/**
 * A name as duplicate detection compares it: accents removed (NFKD, then the
 * combining marks dropped), lower case, punctuation turned into spaces and
 * whitespace collapsed. `"  O'Brien-Müller "` -> `"o brien muller"`.
 */
export function normalizeName(value: string | null | undefined): string {
  if (!value) return '';
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Legal forms that say nothing about which company it is: `Acme Inc.` and `ACME GmbH` are one name. */
const legalForms = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'llp', 'plc', 'gmbh', 'ag', 'kg',
  'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as', 'pty', 'the',
]);

/** A raw company name without its trailing legal forms: `Acme, Inc.` -> `Acme`. */
export function withoutLegalForm(value: string): string {
  const words = value.trim().split(/\s+/);
  while (words.length > 1 && legalForms.has(normalizeName(words.at(-1)))) words.pop();
  return words.join(' ').replace(/[,.]+$/, '');
}

/** A company name normalised as {@link normalizeName}, legal forms dropped. */
export function normalizeCompanyName(value: string | null | undefined): string {
  const words = normalizeName(value).split(' ').filter((w) => w !== '' && !legalForms.has(w));
  return words.join(' ');
}

/**
 * Levenshtein similarity of two normalised strings, 0 (nothing alike) to 1
 * (equal): one minus the edit distance over the longer length. Empty strings
 * are not similar to anything (a missing name is not evidence).
 */
export function similarity(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  if (a === b) return 1;
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

/**
 * The block letter of a contact: the first letter of its normalised last name,
 * else of its first name; null for a contact without a name (it takes part in
 * the email and phone rules only).
 */
export function blockLetter(firstName: string | null, lastName: string | null): string | null {
  return normalizeName(lastName).charAt(0) || normalizeName(firstName).charAt(0) || null;
}

/** Second-level labels that are part of a public suffix (`acme.co.uk`): the name is the label before them. */
const secondLevel = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'ne', 'or']);

/**
 * The name part of a normalised domain, the label before the public suffix:
 * `acme.io`, `shop.acme.de` and `acme.co.uk` all give `acme`. An approximation
 * (no public suffix list), good enough to suggest, never to decide alone.
 */
export function domainStem(domain: string | null): string | null {
  if (!domain) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  const cut = labels.length >= 3 && secondLevel.has(labels[labels.length - 2]!) ? 3 : 2;
  return labels[labels.length - cut] ?? null;
}
