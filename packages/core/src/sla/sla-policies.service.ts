import { z } from 'zod';
import { businessCalendar } from '../calendar/business-calendar.js';
import type { TenantContext } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { defined } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import type { Storage } from '../storage/adapter.js';
import { slaPolicyEntity } from './sla-policy.entity.js';
import { slaPolicyModel } from './sla-policy.model.js';
import {
  conditionsMatch, type SlaCaseLike, slaCaseLikeSchema, type SlaPolicy, type SlaPolicyInput, slaPolicyInputSchema,
  type SlaPolicyPatch, slaPolicyPatchSchema,
} from './sla.schema.js';

/**
 * SLA policies, in matching order. A new case takes a copy of the first
 * active policy whose conditions match it, so editing a policy changes the
 * cases opened afterwards and never the running ones. Reached as
 * `crm.tenant(id).slaPolicies`.
 */
export class SlaPoliciesService extends RecordService<NonNullable<(typeof slaPolicyModel)['rowType']>, SlaPolicy> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, slaPolicyEntity);
  }

  /**
   * Adds a policy after the existing ones.
   * @throws {ValidationError} for bad targets or calendar, or business hours without a calendar @throws {DuplicateError} for a taken name
   * @example
   * await t.slaPolicies.create({
   *   name: 'Gold', conditions: { priority: ['high', 'urgent'] }, businessHours: true,
   *   calendar: { timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] },
   *   targets: { high: { firstResponseMinutes: 60, resolutionMinutes: 480 }, urgent: { firstResponseMinutes: 15 } },
   *   warnBeforeMinutes: 10,
   * });
   */
  async create(input: SlaPolicyInput): Promise<SlaPolicy> {
    const data = parseInput(slaPolicyInputSchema, input, 'SLA policy');
    if (data.calendar) businessCalendar(data.calendar);
    return this.ctx.write(async (w) => {
      const [last] = await w.tx.findMany({ model: slaPolicyModel, tenantId: this.ctx.tenantId, orderBy: [{ field: 'position', direction: 'desc' }], limit: 1, select: ['position'] });
      return this.store.insert(w, {
        name: data.name, position: last === undefined ? 0 : last.position + 1, active: data.active ?? true,
        conditions: data.conditions ?? {}, targets: data.targets, businessHours: data.businessHours ?? false,
        calendar: data.calendar ?? null, pauseOnHold: data.pauseOnHold ?? false, warnBeforeMinutes: data.warnBeforeMinutes ?? null,
      });
    });
  }

  /**
   * Changes a policy. Cases opened before keep the copy they took.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError}
   */
  async update(id: string, patch: SlaPolicyPatch, options?: WriteOptions): Promise<SlaPolicy> {
    const policyId = parseInput(idSchema, id, 'SLA policy id');
    const data = parseInput(slaPolicyPatchSchema, patch, 'SLA policy patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    if (data.calendar) businessCalendar(data.calendar);
    return this.ctx.write(async (w) => {
      const { after } = await this.store.patch(w, policyId, (before) => {
        const next = { ...before, ...defined(data) };
        if (next.businessHours && !next.calendar) throw ValidationError.single('A business-hours policy needs a calendar', ['calendar']);
        return defined(data);
      }, expectedVersion);
      return after;
    });
  }

  /**
   * Puts the policies in this order (matching tries them first to last).
   * @throws {ValidationError} unless `ids` names every policy of the tenant exactly once
   * @throws {ForbiddenError} for an actor who may not update every policy
   */
  async reorder(ids: readonly string[]): Promise<SlaPolicy[]> {
    const order = parseInput(z.array(idSchema).max(1000), ids, 'SLA policy order');
    // An order names every policy: only one who may change them all reorders (policies are all-or-none).
    const policy = await this.ctx.policy();
    if (policy !== null && policy.level('slaPolicy', 'update') !== 'all') throw new ForbiddenError('slaPolicy', 'update', null);
    return this.ctx.write(async (w) => {
      const existing = await this.store.all({}, [], w.tx);
      const known = new Set(existing.map((p) => p.id));
      if (new Set(order).size !== order.length || order.length !== known.size || order.some((id) => !known.has(id))) {
        throw ValidationError.single('reorder needs every SLA policy of the tenant exactly once', ['ids']);
      }
      const out: SlaPolicy[] = [];
      for (const [position, id] of order.entries()) out.push((await this.store.patch(w, id, () => ({ position }))).after);
      return out;
    });
  }

  /**
   * The policy a case with these fields gets: the first active one, in
   * position order, whose conditions match; undefined when none does.
   * @throws {ValidationError}
   */
  async match(caseLike: SlaCaseLike): Promise<SlaPolicy | undefined> {
    return matchPolicy(this.ctx.storage, this.ctx, parseInput(slaCaseLikeSchema, caseLike, 'case'));
  }
}

/** The first active policy matching a case, read through `storage` (a case create's transaction). */
export async function matchPolicy(storage: Storage, ctx: TenantContext, caseLike: SlaCaseLike): Promise<SlaPolicy | undefined> {
  const rows = await storage.findMany({ model: slaPolicyModel, tenantId: ctx.tenantId, where: { active: true }, orderBy: [{ field: 'position' }, { field: 'id' }] });
  return rows.find((policy) => conditionsMatch(policy.conditions, caseLike));
}
