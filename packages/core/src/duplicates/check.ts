import type { TenantContext } from '../common/context.js';
import { parseInput } from '../common/zod-helpers.js';
import { companyModel } from '../companies/company.model.js';
import { companyInputSchema } from '../companies/company.schema.js';
import { mergeEmails, mergePhones } from '../contacts/contact-fields.js';
import { contactModel } from '../contacts/contact.model.js';
import { contactInputSchema } from '../contacts/contact.schema.js';
import type { Where } from '../storage/where.js';
import type { DuplicateCandidate, DuplicateEntity, DuplicateReason } from './duplicate.schema.js';
import { withoutLegalForm } from './normalize.js';
import { combinedScore, type CompanyKeys, companyKeyFields, companyReasons, type ContactKeys, contactKeyFields, contactReasons } from './score.js';

/** Records read per lookup of `check`: each is an index read, never a scan. */
const perLookup = 200;

/**
 * The spellings a stored name may have for an input name, looked up with `in`
 * on the name index: as typed, lower, upper, capitalised, without accents.
 * Exact lookups cannot find typos; the company block (contacts) and `find` do.
 */
export function spellings(value: string | null | undefined): string[] {
  const name = value?.trim();
  if (!name) return [];
  const plain = name.normalize('NFKD').replace(/\p{M}+/gu, '');
  const forms = [name, plain].flatMap((n) => [
    n, n.toLowerCase(), n.toUpperCase(), n.toLowerCase().replace(/(^|[\s'-])\p{L}/gu, (c) => c.toUpperCase()),
  ]);
  return [...new Set(forms)];
}

async function candidates<K extends { id: string }>(
  ctx: TenantContext,
  model: typeof contactModel | typeof companyModel,
  select: readonly string[],
  lookups: Where[],
): Promise<K[]> {
  const byId = new Map<string, K>();
  for (const where of lookups) {
    const rows = await ctx.storage.findMany({ model: model as never, tenantId: ctx.tenantId, where, orderBy: [{ field: 'id' }], limit: perLookup, select: select as never });
    for (const row of rows as unknown as K[]) byId.set(row.id, row);
  }
  return [...byId.values()];
}

function ranked<K extends { id: string }>(rows: K[], reasonsOf: (row: K) => DuplicateReason[], threshold: number): DuplicateCandidate[] {
  return rows
    .map((row) => {
      const reasons = reasonsOf(row);
      return { id: row.id, score: reasons.length === 0 ? 0 : combinedScore(reasons), reasons };
    })
    .filter((c) => c.reasons.length > 0 && c.score >= threshold)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/**
 * The existing records an input to `create` looks like, best first. Every
 * candidate comes from an index: contacts by primary email, primary phone,
 * last name spellings and (for an input with a company) the company's
 * contacts; companies by domain and name spellings (with and without the legal form).
 * @throws {ValidationError} for an input `create` would refuse
 */
export async function checkDuplicates(ctx: TenantContext, entity: DuplicateEntity, input: unknown, threshold: number): Promise<DuplicateCandidate[]> {
  if (entity === 'contact') {
    const data = parseInput(contactInputSchema, input, 'contact');
    const emails = mergeEmails(data.email, data.emails?.map((e) => ({ address: e.address, label: e.label ?? null })));
    const phones = mergePhones(data.phone, data.phones, ctx.runtime.defaultCountry);
    const probe: Omit<ContactKeys, 'id'> = {
      firstName: data.firstName ?? null, lastName: data.lastName ?? null, email: emails[0]?.address ?? null, emails,
      phone: phones[0]?.number ?? null, phones, companyId: data.companyId ?? null,
    };
    const lookups: Where[] = [];
    if (emails.length > 0) lookups.push({ email: { in: emails.map((e) => e.address) } });
    if (phones.length > 0) lookups.push({ phone: { in: phones.map((p) => p.number) } });
    const names = spellings(data.lastName);
    if (names.length > 0) lookups.push({ lastName: { in: names } });
    if (probe.companyId !== null) lookups.push({ companyId: probe.companyId });
    const rows = await candidates<ContactKeys>(ctx, contactModel, contactKeyFields, lookups);
    return ranked(rows, (row) => contactReasons(probe, row), threshold);
  }
  const data = parseInput(companyInputSchema, input, 'company');
  const probe: Omit<CompanyKeys, 'id'> = { name: data.name, domain: data.domain ?? null };
  const lookups: Where[] = [];
  if (probe.domain !== null) lookups.push({ domain: probe.domain });
  // "Acme Inc." finds "Acme" and "ACME": the name without its legal form, spelled the ways it is stored.
  lookups.push({ name: { in: [...new Set([...spellings(data.name), ...spellings(withoutLegalForm(data.name))])] } });
  const rows = await candidates<CompanyKeys>(ctx, companyModel, companyKeyFields, lookups);
  return ranked(rows, (row) => companyReasons(probe, row), threshold);
}
