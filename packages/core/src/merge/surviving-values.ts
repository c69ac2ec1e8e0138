import { parseCustom } from '../common/custom-fields.js';
import type { TenantContext } from '../common/context.js';
import type { Company } from '../companies/company.schema.js';
import { mergeEmails, mergePhones } from '../contacts/contact-fields.js';
import type { Consent, Contact } from '../contacts/contact.schema.js';
import type { DuplicateEntity } from '../duplicates/duplicate.schema.js';
import { ValidationError } from '../errors.js';

type AnyRecord = { id: string } & Record<string, unknown>;

/** Fields a caller may pick a record for, per entity. Consent is not among them: it always merges to the most restrictive. */
const choosable: Record<DuplicateEntity, readonly string[]> = {
  contact: [
    'firstName', 'lastName', 'email', 'phone', 'companyId', 'title', 'lifecycleStage', 'source', 'birthDate', 'occupation',
    'familyStatus', 'city', 'country', 'preferredChannel', 'satisfaction', 'csat', 'externalId', 'ownerId',
  ],
  company: ['name', 'domain', 'sector', 'employees', 'annualRevenue', 'foundedYear', 'city', 'country', 'parentCompanyId', 'externalId', 'ownerId'],
};

/** A value that counts as "not set": the next record's value is taken instead. */
function empty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Refuses `fields` keys that name no choosable field (`custom.<key>` is always allowed). @throws {ValidationError} */
export function checkFieldChoices(entity: DuplicateEntity, fields: Record<string, string>): void {
  for (const field of Object.keys(fields)) {
    if (field.startsWith('custom.') && field.length > 7) continue;
    if (!choosable[entity].includes(field)) {
      const hint = field === 'consent' ? ': consent always merges to the most restrictive' : '';
      throw ValidationError.single(`${field} cannot be chosen in a merge${hint}`, ['fields', field]);
    }
  }
}

/**
 * The record whose value of `field` survives: the one `fields` names, else the
 * survivor when its value is set, else the first merged record (in `mergedIds`
 * order) with a value, else the survivor.
 */
function pick(field: string, records: readonly AnyRecord[], fields: Record<string, string>, value = (r: AnyRecord) => r[field]): AnyRecord {
  const named = fields[field];
  if (named !== undefined) return records.find((r) => r.id === named)!;
  return records.find((r) => !empty(value(r))) ?? records[0]!;
}

function union<T>(lists: readonly T[][]): T[] {
  return [...new Set(lists.flat())];
}

/** Per channel, a denial anywhere wins over a grant: merging must never turn an opt-out into consent. */
export function mostRestrictive(consents: readonly Consent[]): Consent {
  const out: Consent = {};
  for (const consent of consents) {
    for (const [channel, value] of Object.entries(consent) as [keyof Consent, 'granted' | 'denied'][]) {
      if (out[channel] !== 'denied') out[channel] = value;
    }
  }
  return out;
}

/** Custom fields key by key, each key by the rule of {@link pick} (`fields['custom.tier']` names its record). */
function mergedCustomFields(records: readonly AnyRecord[], fields: Record<string, string>): Record<string, unknown> {
  const custom = (r: AnyRecord) => (r.custom ?? {}) as Record<string, unknown>;
  const keys = union(records.map((r) => Object.keys(custom(r))));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const winner = pick(`custom.${key}`, records, fields, (r) => custom(r)[key]);
    const value = custom(winner)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The survivor's values after the merge, as a patch. `records` is the
 * survivor first, then the merged records in `mergedIds` order. Lists are
 * unions (emails and phones with the chosen primary first, tags, product
 * interests); a pair of value and time (satisfaction / satisfactionAt) comes
 * from one record; the survivor keeps its own idempotency key.
 */
export function survivingValues(ctx: TenantContext, entity: DuplicateEntity, records: readonly AnyRecord[], fields: Record<string, string>): Record<string, unknown> {
  const ids = new Set(records.map((r) => r.id));
  const patch: Record<string, unknown> = {};
  for (const field of choosable[entity]) patch[field] = pick(field, records, fields)[field];
  patch.tags = union(records.map((r) => r.tags as string[]));
  patch.custom = parseCustom(ctx.runtime, entity, mergedCustomFields(records, fields));
  if (entity === 'contact') {
    const contacts = records as unknown as Contact[];
    const emailFrom = pick('email', records, fields) as unknown as Contact;
    patch.emails = mergeEmails(emailFrom.email, contacts.flatMap((c) => c.emails));
    patch.email = (patch.emails as Contact['emails'])[0]?.address ?? null;
    const phoneFrom = pick('phone', records, fields) as unknown as Contact;
    patch.phones = mergePhones(phoneFrom.phone, contacts.flatMap((c) => c.phones), undefined);
    patch.phone = (patch.phones as Contact['phones'])[0]?.number ?? null;
    patch.productInterests = union(contacts.map((c) => c.productInterests));
    patch.consent = mostRestrictive(contacts.map((c) => c.consent));
    patch.satisfactionAt = (pick('satisfaction', records, fields) as unknown as Contact).satisfactionAt;
    patch.csatAt = (pick('csat', records, fields) as unknown as Contact).csatAt;
  } else {
    const company = patch as Partial<Company>;
    // A company cannot be its own parent: a parent among the merged records leaves the survivor without one.
    if (company.parentCompanyId && ids.has(company.parentCompanyId)) company.parentCompanyId = null;
  }
  return patch;
}
