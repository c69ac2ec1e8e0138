import type { CountryCode } from 'libphonenumber-js';
import { ValidationError } from '../errors.js';
import type { ContactPatch, Contact, EmailAddress, PhoneNumber } from './contact.schema.js';
import { toE164 } from './phone.js';

type EmailEntry = EmailAddress;
type PhoneEntry = PhoneNumber;

/** The primary email plus the list, primary first, without repeats. */
export function mergeEmails(primary: string | null | undefined, list: EmailEntry[] | undefined): EmailEntry[] {
  const all = [...(primary ? [{ address: primary, label: null }] : []), ...(list ?? [])];
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.address) && seen.add(e.address));
}

/**
 * The primary phone plus the list, each normalised to E.164, primary first,
 * without repeats.
 * @throws {ValidationError} naming the number that is not a valid phone number.
 */
export function mergePhones(
  primary: string | null | undefined,
  list: { number: string; label?: string | null | undefined }[] | undefined,
  defaultCountry: CountryCode | undefined,
): PhoneEntry[] {
  const entries: PhoneEntry[] = [];
  const seen = new Set<string>();
  // The primary phone is usually listed again in `phones`: parsing costs ~10 µs a number, so parse each text once.
  const parsed = new Map<string, string | null>();
  const add = (raw: string, label: string | null, path: PropertyKey[]) => {
    let number = parsed.get(raw);
    if (number === undefined) parsed.set(raw, (number = toE164(raw, defaultCountry)));
    if (number === null) {
      throw ValidationError.single(
        `${JSON.stringify(raw)} is not a valid phone number${defaultCountry ? '' : ' (no default country is set: use the +country format)'}`,
        path,
      );
    }
    if (!seen.has(number)) {
      seen.add(number);
      entries.push({ number, label });
    }
  };
  if (primary) add(primary, null, ['phone']);
  list?.forEach((p, i) => add(p.number, p.label ?? null, ['phones', i, 'number']));
  return entries;
}

/**
 * The email and phone columns for a patch: only what the patch mentions, with
 * the primary kept first in the lists.
 */
export function contactPointsPatch(
  before: Contact,
  patch: Pick<ContactPatch, 'email' | 'emails' | 'phone' | 'phones'> & { emails?: EmailEntry[] | undefined },
  defaultCountry: CountryCode | undefined,
): Partial<Contact> {
  const out: Partial<Contact> = {};
  if (patch.email !== undefined || patch.emails !== undefined) {
    const primary = patch.email === undefined ? before.email : patch.email;
    const rest = patch.emails ?? before.emails.filter((e) => e.address !== before.email);
    out.emails = mergeEmails(primary, rest);
    out.email = out.emails[0]?.address ?? null;
  }
  if (patch.phone !== undefined || patch.phones !== undefined) {
    const primary = patch.phone === undefined ? before.phone : patch.phone;
    const rest = patch.phones ?? before.phones.filter((p) => p.number !== before.phone);
    out.phones = mergePhones(primary, rest, defaultCountry);
    out.phone = out.phones[0]?.number ?? null;
  }
  return out;
}
