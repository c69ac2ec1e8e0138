import type { Row } from '@crmkit/core';
import type { Trigger } from '../../triggers/runner.js';
import { relativeToField } from '../../triggers/date-trigger.js';
import { onEvent } from '../../triggers/event-trigger.js';
import { startOfDay } from '../../triggers/zoned-time.js';
import type { ContractRenewalInput } from './contract-renewal.js';

/** Options of {@link contractRenewalTriggers}. */
export interface ContractRenewalTriggerOptions {
  /**
   * Days before a contract's `endDate` when its renewal workflow starts (and the offer task is made).
   * @default 30
   */
  daysBefore?: number;
  /** @default [14, 3] */
  reminderDays?: readonly number[];
  /** @default 7 */
  offerDueInDays?: number;
  /**
   * Only contracts of these kinds (warranties usually lapse unrenewed).
   * @default ['extended_warranty', 'service', 'maintenance', 'subscription']
   */
  kinds?: string[];
  /**
   * The zone where a contract's days start and end.
   * @default 'UTC'
   */
  timeZone?: string;
  /** How often contracts are scanned, in ms (see `relativeToField`). @default 60000 */
  scanIntervalMs?: number;
}

const workflow = 'contract-renewal';

/** The day after a `YYYY-MM-DD` date: a contract runs through its `endDate`. */
function dayAfter(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

const text = (row: Row, field: string): string | null => (typeof row[field] === 'string' ? row[field] : null);

/**
 * The triggers of `contract-renewal`: start an instance `daysBefore` days
 * before an active contract's `endDate` (a date-relative scan, so it
 * survives restarts), and end it on `contract.renewed` (renewed by hand or
 * by the workflow), when the contract is cancelled, or when its `endDate`
 * moves (`contract.updated`; the scan then starts one for the new end).
 * @example
 * createTriggers(engine, contractRenewalTriggers({ daysBefore: 45, reminderDays: [30, 7] }));
 */
export function contractRenewalTriggers(options: ContractRenewalTriggerOptions = {}): Trigger[] {
  const zone = options.timeZone ?? 'UTC';
  const daysBefore = options.daysBefore ?? 30;
  const endsAt = (endDate: string) => startOfDay(dayAfter(endDate), zone).toISOString();
  const kinds = options.kinds ?? ['extended_warranty', 'service', 'maintenance', 'subscription'];
  return [
    relativeToField({
      model: 'contract',
      field: 'endDate',
      offset: { days: -daysBefore },
      where: { status: 'active', kind: { in: kinds } },
      timeZone: zone,
      ...(options.scanIntervalMs !== undefined ? { scanIntervalMs: options.scanIntervalMs } : {}),
      start: workflow,
      input: ({ record, dueAt }): ContractRenewalInput => ({
        contractId: String(record.id),
        name: text(record, 'name'),
        ownerId: text(record, 'ownerId'),
        endsAt: endsAt(String(record.endDate)),
        endDate: text(record, 'endDate'),
        daysBefore,
        at: dueAt.toISOString(),
        ...(options.reminderDays ? { reminderDays: [...options.reminderDays] } : {}),
        ...(options.offerDueInDays !== undefined ? { offerDueInDays: options.offerDueInDays } : {}),
      }),
    }),
    onEvent('contract.renewed', { signal: { workflow, event: (e) => ({ type: 'renewed', nextContractId: e.data.next.id }) } }),
    onEvent('contract.statusChanged', { where: { to: 'cancelled' }, signal: { workflow, event: () => ({ type: 'cancelled' }) } }),
    onEvent('contract.updated', {
      when: (e) => e.data.changes.some((change) => change.field === 'endDate'),
      signal: { workflow, event: (e) => ({ type: 'rescheduled', endDate: e.data.record.endDate, endsAt: endsAt(e.data.record.endDate), at: e.occurredAt }) },
    }),
  ];
}
