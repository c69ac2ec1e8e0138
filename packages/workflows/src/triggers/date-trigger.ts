import { coreModels, type ModelDefinition, type Row, type Where } from '@crmkit/core';
import type { WorkflowEngine } from '../engine.js';
import type { Subject } from '../definition.js';
import { type ActionSpec, planAction, type TriggerAction } from './action.js';
import type { CursorSource } from './cursors.js';
import type { Firing } from './fire.js';
import { dateIn, startOfDay } from './zoned-time.js';

/** A signed duration; negative values mean "before" (`{ days: -30 }`). Days are 24 hours. */
export interface Offset {
  /** @default 0 */
  days?: number;
  /** @default 0 */
  hours?: number;
  /** @default 0 */
  minutes?: number;
}

/** What the callbacks of a date-relative trigger receive. */
export interface FieldDateContext {
  /** The tenant of the record. */
  tenantId: string;
  /** The record as stored (field names of the model, e.g. `amountMinor` for a deal). */
  record: Row;
  /** The moment the trigger was due: the field's value plus the offset. */
  dueAt: Date;
}

/** Options of {@link relativeToField}. */
export type RelativeToFieldOptions = TriggerAction<FieldDateContext> & {
  /** Stable id; firings are deduplicated per (id, record, field value). @default `<model>.<field><offset>-><workflow>` */
  id?: string;
  /** A core model name (`deal`) or any model definition. */
  model: keyof typeof coreModels | ModelDefinition;
  /** A `date` or `timestamp` field of the model (`expectedCloseOn`). */
  field: string;
  /** Added to the field's value. @default 0 */
  offset?: Offset;
  /** Only records matching this storage where-tree (`{ status: 'open' }`) when the moment passes. */
  where?: Where;
  /** An extra predicate on the record. */
  when?: (record: Row) => boolean;
  /** @default the record itself: `{ type: <model name>, id: record.id }` */
  subject?: (context: FieldDateContext) => Subject | null;
  /**
   * For `date` fields: the zone where the day starts.
   * @default 'UTC'
   */
  timeZone?: string;
  /**
   * How often each tenant's records are scanned, in milliseconds: a trigger fires at most this late.
   * @default 60000
   */
  scanIntervalMs?: number;
};

/** A trigger at a moment relative to a record's date field, made by {@link relativeToField}. */
export interface FieldDateTrigger extends ActionSpec {
  /** Discriminates the kinds of trigger. */
  readonly kind: 'fieldDate';
  /** Unique among the triggers of a runner. */
  readonly id: string;
  /** The options as given. @internal */
  readonly options: RelativeToFieldOptions;
  /** The resolved model. @internal */
  readonly model: ModelDefinition;
}

/**
 * Starts (or signals) a workflow when the clock passes a record's date field
 * plus an offset, once per record and field value, if the record then matches
 * `where`. A periodic scan asks storage for the records whose field lies in
 * the window since the last scan, shifted by the offset.
 *
 * Changed dates: the firing key includes the field's value, so a date moved
 * later fires again at the new moment; a date moved into the already scanned
 * past does not fire retroactively; a record that does not match `where` when
 * its moment passes (a closed deal) does not fire for that value. Records
 * whose moment had passed before the trigger was first deployed never fire.
 * @example
 * relativeToField({ model: 'deal', field: 'expectedCloseOn', offset: { days: 3 }, where: { status: 'open' }, start: 'stale-deal' });
 */
export function relativeToField(options: RelativeToFieldOptions): FieldDateTrigger {
  const model = typeof options.model === 'string' ? coreModels[options.model] : options.model;
  const type = model.fields[options.field]?.type;
  if (type !== 'date' && type !== 'timestamp') throw new Error(`relativeToField: ${model.name}.${options.field} is not a date or timestamp field`);
  const offset = offsetMs(options.offset);
  const id = options.id ?? `${model.name}.${options.field}${offset >= 0 ? '+' : ''}${offset}ms->${options.start ?? options.signal?.workflow ?? 'signal'}`;
  return { kind: 'fieldDate', id, options, model, action: options as TriggerAction<never>, subject: options.subject as ActionSpec['subject'] };
}

function offsetMs(offset: Offset = {}): number {
  return ((offset.days ?? 0) * 24 * 60 + (offset.hours ?? 0) * 60 + (offset.minutes ?? 0)) * 60_000;
}

/** The scan of one date-relative trigger. @internal */
export function fieldDateScan(
  engine: WorkflowEngine, trigger: FieldDateTrigger, batchSize: number, fireOne: (firing: Firing) => Promise<void>,
): CursorSource {
  const { options, model } = trigger;
  const offset = offsetMs(options.offset);
  const zone = options.timeZone ?? 'UTC';
  const isDate = model.fields[options.field]?.type === 'date';
  const interval = options.scanIntervalMs ?? 60_000;
  // A record is due at field + offset, so the window (from, to] of due times is the field range (from - offset, to - offset].
  const bound = (instant: Date) => {
    const shifted = new Date(instant.getTime() - offset);
    return isDate ? dateIn(shifted, zone) : shifted.toISOString();
  };
  const dueAt = (value: string) => new Date((isDate ? startOfDay(value, zone) : new Date(value)).getTime() + offset);
  return {
    key: `date:${trigger.id}`,
    initial: (now) => ({ position: now.toISOString(), config: null, dueAt: now }),
    async pass(tenantId, state) {
      const to = engine.clock.now();
      const from = new Date(state.position ?? to.toISOString());
      const range: Where = { [options.field]: { gt: bound(from), lte: bound(to) } };
      const where: Where = options.where ? { and: [options.where, range] } : range;
      let after: Row | undefined;
      while (to > from) {
        const rows = await engine.storage.findMany({
          model, tenantId, where, orderBy: [{ field: options.field }], limit: batchSize, ...(after ? { after } : {}),
        });
        for (const record of rows) {
          const value = record[options.field] as string;
          const context: FieldDateContext = { tenantId, record, dueAt: dueAt(value) };
          await fireOne({
            tenantId, triggerId: trigger.id, sourceKey: `${record.id as string}@${value}`,
            plan: () => (!options.when || options.when(record)
              ? planAction(trigger.id, trigger, context, { type: model.name, id: record.id as string })
              : undefined),
          });
        }
        if (rows.length < batchSize) break;
        const last = rows[rows.length - 1] as Row;
        after = { [options.field]: last[options.field], id: last.id };
      }
      return { position: (to > from ? to : from).toISOString(), config: null, dueAt: new Date(to.getTime() + interval) };
    },
  };
}
