/**
 * Parses a US-style calendar date `M/D/YYYY` (as in the dataset: `10/20/2016`)
 * strictly, as UTC midnight.
 *
 * `new Date('2/30/2017')` happily answers March 2nd and reads the string in the
 * local time zone; an import must neither invent days nor shift them by the
 * host's offset, so this rejects anything that does not round-trip.
 *
 * @returns the instant, or `null` when the text is not a real `M/D/YYYY` date
 */
export function parseUsDate(text: string): Date | null {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!match) return null;
  const [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const roundTrips = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return roundTrips ? date : null;
}
