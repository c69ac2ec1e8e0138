import { type Row, coreModels, newId } from '@crmkit/core';
import { createRandom } from './fixtures.js';

/**
 * Seeded rows of the reports suite: deals, orders and interactions as their
 * services store them, generated in batches so that millions of rows never
 * sit in memory at once. Every value but `id` follows from the seed.
 */
const start = Date.parse('2024-01-01T00:00:00.000Z');
const span = 2 * 365 * 86_400_000;
const dayMs = 86_400_000;

function weighted<T>(roll: number, options: readonly (readonly [T, number])[]): T {
  for (const [value, weight] of options) if ((roll -= weight) < 0) return value;
  return options[0]![0];
}

/** A row with every nullable field of the model null, then `values`. */
function complete(fields: [string, unknown][], values: Row): Row {
  const row: Row = {};
  for (const [name, field] of fields) if (typeof field === 'object' && field !== null && 'nullable' in field && field.nullable) row[name] = null;
  return Object.assign(row, values);
}

/** Options every generator takes. */
export interface BatchOptions {
  tenantId: string;
  seed: number;
  batchSize: number;
}

const currencies: readonly [string, number][] = [['USD', 90], ['EUR', 10]];
const lostReasons: readonly [string | null, number][] = [['price', 30], ['timing', 20], ['competitor', 25], ['no decision', 15], [null, 10]];
const dealStatuses: readonly ['open' | 'won' | 'lost', number][] = [['open', 55], ['won', 20], ['lost', 25]];

/**
 * `crm_deal` rows: 100 owners, 4 pipelines, 55 % open, 20 % won, 25 % lost,
 * amounts log-uniform from 1,000 to 250,000 minor units, creation over 2024-2025,
 * closed 1 to 180 days (and a fraction of a day) after creation.
 */
export function* dealBatches(n: number, options: BatchOptions): Generator<Row[]> {
  const random = createRandom(options.seed + 101);
  const fields = Object.entries(coreModels.deal.fields);
  for (let offset = 0; offset < n; offset += options.batchSize) {
    const rows: Row[] = [];
    for (let i = offset; i < Math.min(n, offset + options.batchSize); i++) {
      const created = start + Math.floor((i / n) * span + random.next() * 3_600_000);
      const status = weighted(random.int(100), dealStatuses);
      const probability = status === 'won' ? 100 : status === 'lost' ? 0 : 10 + 5 * random.int(17);
      const amountMinor = Math.round(Math.exp(Math.log(100_000) + random.next() * Math.log(250)));
      const closed = status === 'open' ? null : created + Math.floor((1 + random.int(180) + random.next()) * dayMs);
      const pipeline = random.int(4);
      const createdAt = new Date(created).toISOString();
      rows.push(complete(fields, {
        tenantId: options.tenantId, id: newId(), createdAt, updatedAt: createdAt, version: 1,
        ownerId: random.next() < 0.97 ? `member-${random.int(100)}` : null, tags: [], custom: {},
        title: `Deal ${i + 1}`, pipelineId: `pipeline-${pipeline}`, stageId: `stage-${pipeline}-${status === 'open' ? random.int(4) : status}`,
        status, amountMinor, currency: weighted(random.int(100), currencies), probability,
        weightedAmountMinor: Math.round((amountMinor * probability) / 100),
        expectedCloseOn: new Date(created + (30 + random.int(150)) * dayMs).toISOString().slice(0, 10),
        stageEnteredAt: new Date(closed ?? created).toISOString(),
        closedAt: closed === null ? null : new Date(closed).toISOString(),
        lostReason: status === 'lost' ? weighted(random.int(100), lostReasons) : null,
        contactIds: [], lines: [], source: random.next() < 0.8 ? `source-${random.int(6)}` : null,
      }));
    }
    yield rows;
  }
}

const orderStatuses: readonly [string, number][] = [['placed', 10], ['paid', 15], ['fulfilled', 65], ['cancelled', 6], ['returned', 4]];
const orderChannels = ['web', 'store', 'phone', 'marketplace'] as const;

/**
 * `crm_order` rows: one customer (contact) in five orders per batch position,
 * so about n / 5 customers with a skewed count each (customers drawn from a
 * squared uniform: a few buy often); 2 % without a contact; 90 % USD;
 * statuses weighted with 10 % cancelled or returned; placed over 2024-2025.
 */
export function* orderBatches(n: number, options: BatchOptions): Generator<Row[]> {
  const random = createRandom(options.seed + 202);
  const fields = Object.entries(coreModels.order.fields);
  const customers = Math.max(1, Math.floor(n / 5));
  for (let offset = 0; offset < n; offset += options.batchSize) {
    const rows: Row[] = [];
    for (let i = offset; i < Math.min(n, offset + options.batchSize); i++) {
      const placed = start + Math.floor(random.next() * span);
      const placedAt = new Date(placed).toISOString();
      const u = random.next();
      rows.push(complete(fields, {
        tenantId: options.tenantId, id: newId(), createdAt: placedAt, updatedAt: placedAt, version: 1,
        ownerId: random.next() < 0.5 ? `member-${random.int(100)}` : null, tags: [], custom: {},
        number: `O-${i + 1}`,
        contactId: random.next() < 0.98 ? `contact-${String(Math.floor(u * u * customers)).padStart(7, '0')}` : null,
        status: weighted(random.int(100), orderStatuses), channel: random.pick(orderChannels),
        placedAt, totalMinor: 500 + random.int(50_000), currency: weighted(random.int(100), currencies),
      }));
    }
    yield rows;
  }
}

const interactionTypes: readonly [string, number][] = [['call', 25], ['email', 40], ['meeting', 10], ['sms', 5], ['chat', 8], ['note', 12]];
const directions = ['inbound', 'outbound', 'internal'] as const;

/** `crm_interaction` rows: 200 members (3 % owned by nobody), types weighted, occurred over 2024-2025. */
export function* interactionBatches(n: number, options: BatchOptions): Generator<Row[]> {
  const random = createRandom(options.seed + 303);
  const fields = Object.entries(coreModels.interaction.fields);
  for (let offset = 0; offset < n; offset += options.batchSize) {
    const rows: Row[] = [];
    for (let i = offset; i < Math.min(n, offset + options.batchSize); i++) {
      const occurredAt = new Date(start + Math.floor((i / n) * span + random.next() * 3_600_000)).toISOString();
      const type = weighted(random.int(100), interactionTypes);
      rows.push(complete(fields, {
        tenantId: options.tenantId, id: newId(), createdAt: occurredAt, updatedAt: occurredAt, version: 1,
        ownerId: random.next() < 0.97 ? `member-${random.int(200)}` : null, tags: [], custom: {},
        type, direction: random.pick(directions), occurredAt,
        durationSeconds: type === 'call' || type === 'meeting' ? 60 + random.int(3600) : null,
        contactIds: [], memberIds: [],
      }));
    }
    yield rows;
  }
}
