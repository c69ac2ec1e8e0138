import type { Company } from '../companies/company.schema.js';
import type { Contact } from '../contacts/contact.schema.js';
import type { DuplicateReason } from './duplicate.schema.js';
import { domainStem, normalizeCompanyName, normalizeName, similarity } from './normalize.js';

/** The fields of a contact the rules read. */
export type ContactKeys = Pick<Contact, 'id' | 'firstName' | 'lastName' | 'email' | 'emails' | 'phone' | 'phones' | 'companyId'>;
/** The fields of a company the rules read. */
export type CompanyKeys = Pick<Company, 'id' | 'name' | 'domain'>;

/** The fields to `select` when reading records to compare. */
export const contactKeyFields = ['firstName', 'lastName', 'email', 'emails', 'phone', 'phones', 'companyId'] as const;
export const companyKeyFields = ['name', 'domain'] as const;

/** Names below this similarity are no evidence: "Ann Lee" / "Dan Lee" (0.71) are two people more often than not. */
export const nameFloor = 0.8;

/**
 * Counts the pairs the rules scored: the hook the tests use to show that
 * blocking keeps comparisons bounded. Internal (not exported by the package).
 */
export const comparisons = { count: 0 };

/** 1 - Π(1 - w): independent pieces of evidence, none of which alone reaches 1 unless it is certain. */
export function combinedScore(reasons: readonly DuplicateReason[]): number {
  const miss = reasons.reduce((p, r) => p * (1 - r.weight), 1);
  return Math.round((1 - miss) * 1000) / 1000;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const sortReasons = (reasons: DuplicateReason[]) => reasons.sort((a, b) => b.weight - a.weight);

function fullName(c: Pick<Contact, 'firstName' | 'lastName'>, swapped = false): string {
  const parts = swapped ? [c.lastName, c.firstName] : [c.firstName, c.lastName];
  return normalizeName(parts.filter(Boolean).join(' '));
}

function shared<T>(a: readonly T[], b: readonly T[]): T | undefined {
  const set = new Set(b);
  return a.find((x) => set.has(x));
}

/** Every rule that fires for two contacts (or a contact and an input), strongest first. */
export function contactReasons(a: Omit<ContactKeys, 'id'>, b: Omit<ContactKeys, 'id'>): DuplicateReason[] {
  comparisons.count++;
  const reasons: DuplicateReason[] = [];
  if (a.email !== null && a.email === b.email) reasons.push({ rule: 'email', detail: `same email ${a.email}`, weight: 0.9 });
  else {
    const email = shared(a.emails.map((e) => e.address), b.emails.map((e) => e.address));
    if (email !== undefined) reasons.push({ rule: 'email', detail: `shared email ${email}`, weight: 0.8 });
  }
  if (a.phone !== null && a.phone === b.phone) reasons.push({ rule: 'phone', detail: `same phone ${a.phone}`, weight: 0.8 });
  else {
    const phone = shared(a.phones.map((p) => p.number), b.phones.map((p) => p.number));
    if (phone !== undefined) reasons.push({ rule: 'phone', detail: `shared phone ${phone}`, weight: 0.7 });
  }
  const left = fullName(a);
  const right = fullName(b);
  // "Lovelace Ada" and "Ada Lovelace" are one name typed in two orders.
  const sim = Math.max(similarity(left, right), similarity(fullName(a, true), right));
  if (sim >= nameFloor) {
    reasons.push({ rule: 'name', detail: `names "${left}" / "${right}" ${sim.toFixed(2)} similar`, weight: round(0.6 * sim) });
    // The same company makes a name match likelier, but says nothing alone: colleagues are not duplicates.
    if (a.companyId !== null && a.companyId === b.companyId) reasons.push({ rule: 'company', detail: `same company ${a.companyId}`, weight: 0.2 });
  }
  return sortReasons(reasons);
}

/** Every rule that fires for two companies (or a company and an input), strongest first. */
export function companyReasons(a: Omit<CompanyKeys, 'id'>, b: Omit<CompanyKeys, 'id'>): DuplicateReason[] {
  comparisons.count++;
  const reasons: DuplicateReason[] = [];
  if (a.domain !== null && a.domain === b.domain) reasons.push({ rule: 'domain', detail: `same domain ${a.domain}`, weight: 0.95 });
  else {
    const stem = domainStem(a.domain);
    if (stem !== null && stem === domainStem(b.domain)) {
      reasons.push({ rule: 'domain', detail: `same domain name "${stem}" (${[a.domain, b.domain].sort().join(', ')})`, weight: 0.5 });
    }
  }
  const left = normalizeCompanyName(a.name);
  const right = normalizeCompanyName(b.name);
  const sim = similarity(left, right);
  if (sim >= nameFloor) reasons.push({ rule: 'name', detail: `names "${left}" / "${right}" ${sim.toFixed(2)} similar`, weight: round(0.8 * sim) });
  return sortReasons(reasons);
}
