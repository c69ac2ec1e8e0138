import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ImportMapping } from '@crmkit/core';
import { createRandom } from './fixtures.js';

/**
 * The CSV the import suite reads: contacts as a user's export from another
 * tool spells them (its own headers, `;`-separated tags, phones in the
 * international format with spaces), every email and phone distinct, so that
 * no cache of repeated values flatters either side.
 */
export const importHeader = [
  'First Name', 'Last Name', 'E-mail', 'Phone', 'Job Title', 'Stage', 'Lead Source', 'City', 'Country', 'Channel', 'Tags', 'External ID',
] as const;

/** How the import maps the headers onto contact fields. */
export const importMapping: ImportMapping = {
  columns: {
    'First Name': 'firstName', 'Last Name': 'lastName', 'E-mail': 'email', Phone: 'phone', 'Job Title': 'title',
    Stage: 'lifecycleStage', 'Lead Source': 'source', City: 'city', Country: 'country', Channel: 'preferredChannel',
    Tags: 'tags', 'External ID': 'externalId',
  },
};

const firstNames = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', "O'Neil", 'Dijkstra', 'Perlman', 'Lee, Jr.'];
const titles = ['CTO', 'Head of Sales', 'Engineer', 'Buyer', '"Chief" Officer', ''];
const stages = ['subscriber', 'lead', 'lead', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'customer', 'churned'];
const sources = ['website', 'referral', 'trade fair', 'cold call', ''];
const cities = [['Berlin', 'DE'], ['London', 'GB'], ['New York', 'US'], ['Paris', 'FR'], ['Chicago', 'US']] as const;
const channels = ['email', 'phone', 'sms', ''];
const tagPool = ['vip', 'newsletter', 'partner', 'beta'];
const areaCodes = ['212', '312', '415', '617'];

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The cells of contact `i`. Phones are `+1 AAA EXX XXXX` with exchange and line
 * from `i` (valid NANP numbers, distinct below 8,000,000 rows).
 */
export function importCells(i: number, random: ReturnType<typeof createRandom>): string[] {
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  const [city, country] = random.pick(cities);
  const tags = tagPool.filter(() => random.next() < 0.25).join(';');
  const exchange = 200 + (Math.floor(i / 10_000) % 800);
  const line = String(i % 10_000).padStart(4, '0');
  return [
    first, last, `${first}.${last.replace(/[^A-Za-z]/g, '')}.${i}@Example.com`, `+1 ${random.pick(areaCodes)} ${exchange} ${line}`,
    random.pick(titles), random.pick(stages), random.pick(sources), city, country, random.pick(channels), tags,
    random.next() < 0.5 ? `ext-${i}` : '',
  ];
}

/** Writes `n` contacts as CSV to `file`, streaming (memory holds one chunk), honouring back-pressure. */
export async function writeImportCsv(file: string, n: number, seed: number): Promise<number> {
  const random = createRandom(seed);
  const out = createWriteStream(file);
  let chunk = `${importHeader.map(csvField).join(',')}\n`;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    chunk += `${importCells(i, random).map(csvField).join(',')}\n`;
    if (chunk.length > 1 << 16 || i === n - 1) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
