import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Normalises a phone number to E.164 (`+14155550123`) with libphonenumber.
 * Numbers without a country prefix are read in `defaultCountry`. Returns null
 * when the number is not valid.
 */
export function toE164(raw: string, defaultCountry: CountryCode | undefined): string | null {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}
