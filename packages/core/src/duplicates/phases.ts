import type { TenantContext } from '../common/context.js';
import { companyModel } from '../companies/company.model.js';
import { contactModel } from '../contacts/contact.model.js';
import type { Row } from '../storage/adapter.js';
import { type CompareSpec, type Covered, groupUnits, matchOf, maxGroupSize, type SplitBlock, starPairs, type Unit, walkUnits } from './blocks.js';
import type { DuplicateEntity, DuplicateMatch } from './duplicate.schema.js';
import { blockLetter, normalizeName } from './normalize.js';
import { type CompanyKeys, companyKeyFields, companyReasons, type ContactKeys, contactKeyFields, contactReasons } from './score.js';

/** One pass of `find`: units in a keyset order that a cursor can resume. */
export interface Phase {
  name: string;
  units(ctx: TenantContext, after: unknown, threshold: number): AsyncGenerator<Unit>;
}

/** Contacts read per company block; a larger company is compared on its oldest contacts only. */
export const maxCompanyBlock = 500;
/** Within a company, each contact is compared with this many neighbours of the same letter (name order): all pairs up to 50. */
export const companyWindow = 50;
/** The sorted walk over the (lastName, firstName) and name indexes compares each record with the 9 before it. */
export const walkWindow = 10;

const contactSpec: CompareSpec<ContactKeys> = { model: contactModel as never, select: contactKeyFields, reasons: contactReasons };
const companySpec: CompareSpec<CompanyKeys> = { model: companyModel as never, select: companyKeyFields, reasons: companyReasons };

const sameEmail: Covered<ContactKeys> = (a, b) => a.email !== null && a.email === b.email;
const samePhone: Covered<ContactKeys> = (a, b) => a.phone !== null && a.phone === b.phone;
const sameBlock: Covered<ContactKeys> = (a, b) =>
  a.companyId !== null && a.companyId === b.companyId && blockLetter(a.firstName, a.lastName) === blockLetter(b.firstName, b.lastName);
const none: Covered<never> = () => false;

/**
 * A company's contacts split by the first letter of the normalised last name,
 * each letter block in name order; a part is one contact compared with the
 * next `companyWindow - 1` of its block (all pairs for blocks up to 50).
 */
function companyBlockPairs(threshold: number, covered: Covered<ContactKeys>): SplitBlock<ContactKeys> {
  return (rows) => {
    const blocks = new Map<string, { name: string; row: ContactKeys }[]>();
    for (const row of rows) {
      const letter = blockLetter(row.firstName, row.lastName);
      if (letter === null) continue;
      const block = blocks.get(letter) ?? [];
      block.push({ name: normalizeName(`${row.lastName ?? ''} ${row.firstName ?? ''}`), row });
      blocks.set(letter, block);
    }
    const parts: (() => DuplicateMatch[])[] = [];
    for (const letter of [...blocks.keys()].sort()) {
      const block = blocks.get(letter)!.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.row.id < b.row.id ? -1 : 1));
      block.forEach((left, i) => {
        if (i === block.length - 1) return;
        parts.push(() => block.slice(i + 1, i + companyWindow).flatMap((right) =>
          (covered(left.row, right.row) ? [] : [matchOf(contactSpec, left.row, right.row, threshold)].filter((m) => m !== null))));
      });
    }
    return parts;
  };
}

/**
 * Contacts: exact primary email, then exact primary phone (both by SQL
 * grouping), then name blocks within a company, then a sorted walk over the
 * (lastName, firstName) index. A pair an earlier phase covers is skipped later,
 * so every pair is reported at most once.
 */
const contactPhases: Phase[] = [
  {
    name: 'email',
    units: (ctx, after, threshold) =>
      groupUnits(ctx, contactSpec, 'email', after, maxGroupSize, starPairs(contactSpec, threshold, none)),
  },
  {
    name: 'phone',
    units: (ctx, after, threshold) =>
      groupUnits(ctx, contactSpec, 'phone', after, maxGroupSize, starPairs(contactSpec, threshold, sameEmail)),
  },
  {
    name: 'company',
    units: (ctx, after, threshold) =>
      groupUnits(ctx, contactSpec, 'companyId', after, maxCompanyBlock,
        companyBlockPairs(threshold, (a, b) => sameEmail(a, b) || samePhone(a, b))),
  },
  {
    name: 'name',
    units: (ctx, after, threshold) =>
      walkUnits(ctx, contactSpec, ['lastName', 'firstName'], walkWindow, after as Row | undefined, threshold,
        (a, b) => sameEmail(a, b) || samePhone(a, b) || sameBlock(a, b)),
  },
];

/**
 * Companies: the exact same name (SQL grouping), then a sorted walk over the
 * name index. Domains are unique per tenant, so two companies never share one:
 * the domain rule scores pairs the walk meets (same domain name, `acme.io` /
 * `acme.de`) and finds exact matches in `check`.
 */
const companyPhases: Phase[] = [
  {
    name: 'exactName',
    units: (ctx, after, threshold) =>
      groupUnits(ctx, companySpec, 'name', after, maxGroupSize, starPairs(companySpec, threshold, none)),
  },
  {
    name: 'name',
    units: (ctx, after, threshold) =>
      walkUnits(ctx, companySpec, ['name'], walkWindow, after as Row | undefined, threshold, (a, b) => a.name === b.name),
  },
];

/** The phases of an entity, in order. */
export function phasesOf(entity: DuplicateEntity): Phase[] {
  return entity === 'contact' ? contactPhases : companyPhases;
}
