import type { TenantScope } from '@crmkit/core';
import { CronExpressionParser } from 'cron-parser';
import type { WorkflowEngine } from '../engine.js';
import type { Subject } from '../definition.js';
import { type ActionSpec, type FirePlan, planAction, type TriggerAction } from './action.js';
import type { CursorSource, CursorState } from './cursors.js';
import type { Firing } from './fire.js';

/** What the callbacks of a cron trigger receive. */
export interface CronContext {
  /** The tenant the run is for: cron triggers run once per tenant. */
  tenantId: string;
  /** The tenant's CRM services, in the system scope (`crm.system(tenantId)`): every record, no access checks. */
  tenant: TenantScope;
  /** The slot being run: after downtime, the latest one missed. */
  scheduledAt: Date;
  /** Unique per (trigger, tenant, slot): an idempotency key for `run`. */
  key: string;
}

/** Options of {@link cron}. */
export type CronTriggerOptions = (
  | TriggerAction<CronContext>
  | {
      /** Runs host code instead of starting a workflow: at least once per slot, so make it idempotent with `key`. */
      run: (context: CronContext) => Promise<void> | void;
      start?: never;
      signal?: never;
    }
) & {
  /** Stable id: firings are deduplicated per (id, tenant, slot). @default `cron:<expression>-><workflow>` */
  id?: string;
  /**
   * The zone the expression's hours and days are read in (IANA name).
   * @default 'UTC'
   */
  timeZone?: string;
  /** The subject of started instances (needed by `signal`). @default none */
  subject?: (context: CronContext) => Subject | null;
};

/** A scheduled trigger, made by {@link cron}. */
export interface CronTrigger extends ActionSpec {
  /** Discriminates the kinds of trigger. */
  readonly kind: 'cron';
  /** Unique among the triggers of a runner. */
  readonly id: string;
  /** The cron expression (5 fields, or 6 with seconds first). */
  readonly expression: string;
  /** The options as given. @internal */
  readonly options: CronTriggerOptions;
}

/**
 * Runs on a cron schedule, in every tenant the runner watches. Each tenant
 * keeps a durable next-run row: a slot is fired once, and after downtime that
 * skipped several slots the trigger fires once (with the latest missed slot
 * as `scheduledAt`) and then resumes at the next slot after now.
 * Changing the expression or the zone reschedules from now.
 * @throws {Error} when the expression does not parse
 * @example
 * cron('0 9 * * 1', { timeZone: 'Europe/Paris', start: 'weekly-pipeline-review' });
 */
export function cron(expression: string, options: CronTriggerOptions): CronTrigger {
  CronExpressionParser.parse(expression, { tz: options.timeZone ?? 'UTC' });
  const target = 'run' in options ? 'run' : (options.start ?? options.signal?.workflow ?? 'signal');
  return {
    kind: 'cron',
    id: options.id ?? `cron:${expression}->${target}`,
    expression,
    options,
    action: options as TriggerAction<never>,
    subject: options.subject as ActionSpec['subject'],
  };
}

/** The schedule of one cron trigger in one tenant. @internal */
export function cronSchedule(engine: WorkflowEngine, trigger: CronTrigger, fireOne: (firing: Firing) => Promise<void>): CursorSource {
  const zone = trigger.options.timeZone ?? 'UTC';
  const config = `${trigger.expression} ${zone}`;
  const nextAfter = (now: Date): CursorState => {
    const next = CronExpressionParser.parse(trigger.expression, { currentDate: now, tz: zone }).next().toDate();
    return { position: next.toISOString(), config, dueAt: next };
  };
  return {
    key: `cron:${trigger.id}`,
    initial: (now) => nextAfter(now),
    async pass(tenantId, state) {
      const now = engine.clock.now();
      if (state.config !== config || state.position === null) return nextAfter(now);
      if (new Date(state.position) > now) return { ...state, dueAt: new Date(state.position) };
      // Missed slots collapse into one firing, for the latest slot; a crash and
      // a retry compute the same slot, so the fire key stops a second run.
      const slot = CronExpressionParser.parse(trigger.expression, { currentDate: new Date(now.getTime() + 1), tz: zone }).prev().toDate();
      const sourceKey = slot.toISOString();
      // The system scope: a scheduled run acts for the tenant, not for a member (see EngineRuntime.tenant).
      const context: CronContext = { tenantId, tenant: engine.crm.system(tenantId), scheduledAt: slot, key: `${trigger.id}:${tenantId}:${sourceKey}` };
      const options = trigger.options;
      await fireOne({
        tenantId, triggerId: trigger.id, sourceKey,
        plan: (): FirePlan => ('run' in options
          ? { kind: 'run', run: () => options.run(context) }
          : planAction(trigger.id, trigger, context)),
      });
      return nextAfter(now);
    },
  };
}
