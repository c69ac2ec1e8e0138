import { type Row, coreModels, newId } from '@crmkit/core';
import { createRandom } from './fixtures.js';

const priorities = [['low', 20], ['normal', 50], ['high', 22], ['urgent', 8]] as const;
const channels = ['email', 'phone', 'chat', 'web', 'sms', 'social', 'visit'] as const;
/** First-response and resolution targets (minutes) per priority, as an SLA policy would set them. */
const targets: Record<string, [number, number]> = { low: [480, 4320], normal: [240, 1440], high: [60, 480], urgent: [15, 240] };
const start = Date.parse('2025-01-01T00:00:00.000Z');
const year = 365 * 86_400_000;

function weighted(roll: number): string {
  for (const [value, weight] of priorities) if ((roll -= weight) < 0) return value;
  return 'normal';
}

/** Log-normal-ish minutes around `median`: what support times look like (a long tail). */
function minutes(random: () => number, median: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.round(median * Math.exp(0.9 * z) * 100) / 100;
}

/**
 * Complete `crm_case` rows as the cases service stores them, in batches so
 * that a million rows never sit in memory at once: priorities weighted, 7
 * channels, 20 teams, 200 agents, openings over 2025, 90% answered and 80%
 * resolved with breach flags against per-priority targets, business minutes
 * about 40% of calendar minutes.
 */
export function* caseBatches(n: number, batchSize: number, options: { tenantId: string; seed: number }): Generator<Row[]> {
  const random = createRandom(options.seed + 13);
  const fields = Object.entries(coreModels.case.fields);
  for (let offset = 0; offset < n; offset += batchSize) {
    const rows: Row[] = [];
    for (let i = offset; i < Math.min(n, offset + batchSize); i++) {
      const opened = start + Math.floor((i / n) * year + random.next() * 3_600_000);
      const priority = weighted(random.int(100));
      const [firstTarget, resolutionTarget] = targets[priority]!;
      const answered = random.next() < 0.9;
      const resolved = answered && random.next() < 0.8;
      const response = answered ? minutes(random.next, firstTarget * 0.6) : null;
      const resolution = resolved ? minutes(random.next, resolutionTarget * 0.7) : null;
      const paused = resolved && random.next() < 0.3 ? Math.round(random.next() * 600) : 0;
      const openedAt = new Date(opened).toISOString();
      const row: Row = {};
      for (const [name, field] of fields) if ('nullable' in field && field.nullable) row[name] = null;
      Object.assign(row, {
        tenantId: options.tenantId,
        id: newId(),
        createdAt: openedAt,
        updatedAt: openedAt,
        version: 1,
        ownerId: random.next() < 0.95 ? `agent-${random.int(200)}` : null,
        tags: [],
        custom: {},
        number: i + 1,
        subject: `Case ${i + 1}`,
        type: random.next() < 0.1 ? 'warranty_claim' : 'incident',
        channel: random.pick(channels),
        priority,
        status: resolved ? 'resolved' : answered ? 'open' : 'new',
        teamId: random.next() < 0.9 ? `team-${random.int(20)}` : null,
        sla: {},
        openedAt,
        reopenCount: 0,
        pausedMinutes: paused,
        firstResponseMinutes: response,
        firstResponseBusinessMinutes: response === null ? null : Math.round(response * 40) / 100,
        resolutionMinutes: resolution,
        resolutionBusinessMinutes: resolution === null ? null : Math.round(resolution * 40) / 100,
        firstResponseBreached: response === null ? null : response > firstTarget,
        resolutionBreached: resolution === null ? null : resolution > resolutionTarget,
        nextResponseBreaches: 0,
      });
      rows.push(row);
    }
    yield rows;
  }
}
