import { type ContactInput, type LifecycleStage, type Row, newId } from '@crmkit/core';

/** A seeded pseudo-random source: `next()` in [0, 1), `int(n)` in [0, n), `pick(list)`. */
export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
}

/**
 * A deterministic random source (mulberry32), so that two runs with the same
 * seed generate the same rows and the same query sequences.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)]! };
}

const firstNames = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Karen', 'John'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Knuth', 'Jones', 'McCarthy'];
const domains = ['acme.io', 'example.com', 'globex.net', 'initech.org', 'umbrella.co'];
const titles = ['CTO', 'Head of Sales', 'Engineer', 'Buyer', 'Office Manager', 'Founder', null];
const sources = ['website', 'referral', 'trade fair', 'cold call', 'newsletter', null];
const cities = [['Berlin', 'DE'], ['London', 'GB'], ['New York', 'US'], ['Paris', 'FR'], ['Madrid', 'ES'], ['Chicago', 'US']] as const;
const channels = ['email', 'phone', 'sms', 'post', 'chat', 'social', 'visit'] as const;
const tagPool = ['vip', 'newsletter', 'partner', 'churn-risk', 'event-2025', 'beta'];
const products = ['crm-basic', 'crm-pro', 'support-plan', 'onboarding', 'api-access'];
const industries = ['retail', 'software', 'logistics', 'health', 'finance'];
// US 555-01xx numbers are reserved for fiction and valid for libphonenumber.
const areaCodes = ['212', '312', '415', '617'];
/** Weighted like a typical B2B funnel: many leads and subscribers, few evangelists. */
const stageWeights: readonly [LifecycleStage, number][] = [
  ['subscriber', 20], ['lead', 35], ['mql', 10], ['sql', 8], ['opportunity', 7], ['customer', 15], ['evangelist', 2], ['churned', 3],
];

function weightedStage(random: Random): LifecycleStage {
  let roll = random.int(100);
  for (const [stage, weight] of stageWeights) if ((roll -= weight) < 0) return stage;
  return 'lead';
}

function subset<T>(random: Random, pool: readonly T[], max: number): T[] {
  const out: T[] = [];
  for (let k = random.int(max + 1); k > 0; k--) {
    const item = random.pick(pool);
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

/** Options of {@link contactRows}. */
export interface ContactRowsOptions {
  /** Tenant of every row. */
  tenantId: string;
  /** Seed of the generator. @default 42 */
  seed?: number;
  /** Creation times are spread evenly from here over two years. @default '2024-01-01T00:00:00.000Z' */
  since?: string;
}

/**
 * Complete `crm_contact` rows as core would hand them to `createMany`: common
 * fields, names, primary and listed emails and phones, JSON fields and about
 * half of the optional columns filled. Every value but `id` (a ULID from
 * `newId()`) follows from the seed; `createdAt` grows with the index.
 */
export function contactRows(n: number, options: ContactRowsOptions): Row[] {
  const random = createRandom(options.seed ?? 42);
  const start = Date.parse(options.since ?? '2024-01-01T00:00:00.000Z');
  const step = (2 * 365 * 86_400_000) / Math.max(n, 1);
  const rows = new Array<Row>(n);
  for (let i = 0; i < n; i++) {
    const firstName = random.pick(firstNames);
    const lastName = random.pick(lastNames);
    const email = `${firstName}.${lastName}.${i}@${random.pick(domains)}`.toLowerCase();
    const phone = `+1${random.pick(areaCodes)}55501${String(random.int(100)).padStart(2, '0')}`;
    const created = Math.floor(start + i * step + random.next() * step);
    const createdAt = new Date(created).toISOString();
    const [city, country] = random.pick(cities);
    const satisfaction = random.next() < 0.4 ? random.int(11) : null;
    rows[i] = {
      tenantId: options.tenantId,
      id: newId(),
      createdAt,
      updatedAt: new Date(created + random.int(30 * 86_400_000)).toISOString(),
      version: 1,
      ownerId: random.next() < 0.8 ? `member-${random.int(25)}` : null,
      tags: subset(random, tagPool, 3),
      custom: random.next() < 0.5 ? { industry: random.pick(industries), employees: 10 + random.int(5000) } : {},
      firstName,
      lastName,
      email,
      emails: random.next() < 0.3 ? [{ address: email, label: 'work' }, { address: `${firstName}${i}@mail.example`.toLowerCase(), label: 'home' }] : [{ address: email, label: null }],
      phone,
      phones: [{ number: phone, label: 'mobile' }],
      companyId: random.next() < 0.6 ? `company-${random.int(5000)}` : null,
      title: random.pick(titles),
      lifecycleStage: weightedStage(random),
      source: random.pick(sources),
      birthDate: random.next() < 0.3 ? `19${60 + random.int(40)}-0${1 + random.int(9)}-1${random.int(10)}` : null,
      occupation: random.next() < 0.3 ? 'engineer' : null,
      familyStatus: null,
      city,
      country,
      preferredChannel: random.next() < 0.5 ? random.pick(channels) : null,
      productInterests: subset(random, products, 2),
      consent: { email: 'granted', ...(random.next() < 0.5 ? { sms: 'denied' } : {}) },
      satisfaction,
      satisfactionAt: satisfaction === null ? null : createdAt,
      externalId: random.next() < 0.5 ? `ext-${i}` : null,
    };
  }
  return rows;
}

/**
 * The public-API input that produces `row` through `contacts.createMany`.
 * References (`ownerId`, `companyId`) are left out: the service would require
 * those members and companies to exist.
 */
export function contactInput(row: Row): ContactInput {
  const { tenantId, id, createdAt, updatedAt, version, ownerId, companyId, satisfactionAt, emails, ...rest } = row;
  return { ...rest, emails: (emails as { address: string; label: string | null }[]).slice(1) } as ContactInput;
}
