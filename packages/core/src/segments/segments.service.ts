import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { type ListOptions, listOptionsSchema, type Page } from '../common/list.js';
import { RecordService } from '../common/record-service.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { contactEntity } from '../contacts/contact.entity.js';
import type { contactModel } from '../contacts/contact.model.js';
import type { Contact } from '../contacts/contact.schema.js';
import { ForbiddenError, StateError } from '../errors.js';
import { compileRule, parseRule } from './segment-compile.js';
import { addMembers, diffMembership, removeMembers, storedMembers } from './segment-membership.js';
import { segmentEntity } from './segment.entity.js';
import { segmentMemberModel, type segmentModel } from './segment.model.js';
import {
  contactIdsSchema, countOptionsSchema, type MembershipChange, type RefreshDueOptions, refreshDueOptionsSchema, type Segment,
  type SegmentCountOptions, type SegmentInput, segmentInputSchema, type SegmentPatch, segmentPatchSchema, type SegmentRefresh,
} from './segment.schema.js';

const minuteMs = 60_000;
// A claimed segment stays with its runner this long; a runner that dies mid-refresh frees it then.
const leaseMs = 15 * minuteMs;

const dueAfter = (now: string, minutes: number | null): string | null =>
  minutes === null ? null : new Date(Date.parse(now) + minutes * minuteMs).toISOString();

/**
 * Segments of contacts. A `dynamic` segment is a saved rule (contact and
 * custom fields plus computed metrics: last order, order count, lifetime
 * value, last interaction, open cases, satisfaction) whose membership
 * `refresh` stores; a `static` segment is a list managed by `addMembers` /
 * `removeMembers`. Every membership change emits `segment.entered` or
 * `segment.left` in the transaction that makes it, so workflows can start on
 * them (`onEvent('segment.entered', ...)`). Reached as `crm.tenant(id).segments`.
 */
export class SegmentsService extends RecordService<NonNullable<(typeof segmentModel)['rowType']>, Segment> {
  readonly #contacts: EntityStore<NonNullable<(typeof contactModel)['rowType']>, Contact>;

  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, segmentEntity);
    this.#contacts = new EntityStore(ctx, contactEntity);
  }

  /**
   * Saves a segment. A dynamic one starts empty: `refresh` fills it. With
   * `refreshEveryMinutes` its first scheduled refresh is due at once.
   * @throws {ValidationError} for a rule `contacts.list` would refuse (unknown field or operator,
   *   `inQuery`, too deep) or a bad metric condition
   * @throws {DuplicateError} for a name the tenant already uses
   * @example
   * const lapsed = await t.segments.create({
   *   name: 'Lapsed gold customers',
   *   rule: { 'custom.tier': 'gold', $metric: { metric: 'lastOrderAt', lt: { daysAgo: 180 } } },
   *   refreshEveryMinutes: 24 * 60,
   * });
   */
  async create(input: SegmentInput): Promise<Segment> {
    const data = parseInput(segmentInputSchema, input, 'segment');
    return this.ctx.write(async (w) => {
      const rule = data.kind === 'dynamic' ? parseRule(data.rule, w.now) : null;
      const every = data.refreshEveryMinutes ?? null;
      const segment = await this.store.insert(w, {
        name: data.name, description: data.description ?? null, kind: data.kind, rule,
        refreshEveryMinutes: every, refreshDueAt: every === null ? null : w.now, refreshedAt: null,
      });
      w.emit('segment.created', { record: segment });
      return segment;
    });
  }

  /**
   * Changes a segment's name, description, rule or schedule. A new rule takes
   * effect at the next refresh (due at once when scheduled).
   * @throws {NotFoundError} @throws {ValidationError} @throws {StateError} for a rule or schedule on a static segment
   */
  async update(id: string, patch: SegmentPatch): Promise<Segment> {
    const segmentId = parseInput(idSchema, id, 'segment id');
    const data = parseInput(segmentPatchSchema, patch, 'segment patch');
    return this.ctx.write(async (w) => {
      const { after, changes } = await this.store.patch(w, segmentId, (before): Partial<Segment> => {
        const schedules = data.refreshEveryMinutes !== undefined || data.rule !== undefined;
        if (before.kind === 'static' && (data.rule !== undefined || data.refreshEveryMinutes != null)) {
          throw new StateError(`Segment ${segmentId} is a static list: it has no rule nor schedule`);
        }
        const every = data.refreshEveryMinutes === undefined ? before.refreshEveryMinutes : data.refreshEveryMinutes;
        return {
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.description !== undefined ? { description: data.description } : {}),
          ...(data.rule !== undefined ? { rule: parseRule(data.rule, w.now) } : {}),
          ...(schedules ? { refreshEveryMinutes: every, refreshDueAt: every === null ? null : w.now } : {}),
        };
      });
      if (changes.length > 0) w.emit('segment.updated', { record: after, changes });
      return after;
    });
  }

  /** Deletes a segment and its stored membership (members do not "leave": no events but `segment.deleted`). @throws {NotFoundError} */
  async delete(id: string): Promise<void> {
    const segmentId = parseInput(idSchema, id, 'segment id');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, segmentId);
      await w.tx.deleteMany({ model: segmentMemberModel, tenantId: this.ctx.tenantId, where: { segmentId } });
      w.emit('segment.deleted', { record });
    });
  }

  /**
   * Re-evaluates a dynamic segment and stores its membership, emitting
   * `segment.entered` / `segment.left` for every contact whose membership
   * changed, all in one transaction. The segment row is locked first, so two
   * refreshes at once run one after the other and the second finds nothing
   * left to announce. Memory stays flat whatever the segment's size: the
   * matching contacts and the stored members are merged a page at a time in
   * contact id order (see `diffMembership`); only the events of the changes
   * are held until commit, as for every crmkit write.
   * The rule is evaluated over every contact whoever refreshes (the
   * membership is the tenant's); an acting member needs `update` on the segment.
   * @throws {NotFoundError} @throws {StateError} for a static segment @throws {ForbiddenError}
   * @throws {ValidationError} for a stored rule that no longer validates
   * @example
   * const { entered, left } = await t.segments.refresh(lapsed.id);
   */
  async refresh(id: string): Promise<SegmentRefresh> {
    const segmentId = parseInput(idSchema, id, 'segment id');
    return this.ctx.write(async (w) => {
      const segment = await this.store.get(segmentId, w.tx, true);
      // Refreshing rewrites what the segment holds: the actor needs `update` on it.
      await this.ctx.assertAllowed(segmentEntity.model, segmentId, 'update', w.systemTx);
      if (segment.kind !== 'dynamic' || segment.rule === null) throw new StateError(`Segment ${segmentId} is a static list: add or remove its members`);
      // Stored membership is the tenant's, not the actor's: the rule is evaluated over every contact (and
      // every order, case... its metrics count), whoever refreshes; reads of the members are scoped again.
      const counts = await diffMembership(w.asSystem(), segment, compileRule(segment.rule, w.now));
      // Bookkeeping, not a change of the segment: no audit entry, no `segment.updated`.
      const row = await w.systemTx.update({
        model: segmentEntity.model, tenantId: this.ctx.tenantId, id: segmentId,
        data: { refreshedAt: w.now, refreshDueAt: dueAfter(w.now, segment.refreshEveryMinutes), refreshLeasedUntil: null, updatedAt: w.now },
      });
      return { segment: segmentEntity.toRecord(row), ...counts };
    });
  }

  /**
   * Refreshes the segments of this tenant whose scheduled refresh is due
   * (`refreshEveryMinutes` passed since the last), each in its own
   * transaction. Several processes may call it at once: a due segment is
   * claimed by one of them. A host schedules it, for example every five
   * minutes with a workflows cron trigger:
   * `cron('*\/5 * * * *', { id: 'segments', run: ({ tenant }) => tenant.segments.refreshDue() })`.
   * A segment whose refresh fails stays claimed for 15 minutes, then is tried again.
   * An acting member must be allowed to update every segment (it claims them all).
   * @throws {ForbiddenError} for an actor who may not
   * @returns the refreshes done, and the failures (segment id and error)
   */
  async refreshDue(options?: RefreshDueOptions): Promise<{ refreshed: SegmentRefresh[]; failed: { segmentId: string; error: unknown }[] }> {
    const { limit } = parseInput(refreshDueOptionsSchema, options, 'refresh options');
    // Claiming takes segments whatever the actor may see: only one who may refresh every segment runs the schedule.
    const policy = await this.ctx.policy();
    if (policy !== null && policy.level('segment', 'update') !== 'all') throw new ForbiddenError('segment', 'update', null);
    const now = this.ctx.runtime.clock.now();
    const due = await this.ctx.storage.claimDue({
      model: segmentEntity.model, tenantId: this.ctx.tenantId, dueField: 'refreshDueAt', leaseField: 'refreshLeasedUntil',
      now: now.toISOString(), leaseUntil: new Date(now.getTime() + leaseMs).toISOString(), limit: limit ?? 10,
    });
    const refreshed: SegmentRefresh[] = [];
    const failed: { segmentId: string; error: unknown }[] = [];
    for (const row of due) {
      try {
        refreshed.push(await this.refresh(row.id));
      } catch (error) {
        failed.push({ segmentId: row.id, error });
      }
    }
    return { refreshed, failed };
  }

  /**
   * Adds contacts to a static list (1 to 1000 ids); each one not in it yet emits `segment.entered`.
   * @throws {NotFoundError} for an unknown segment or contact @throws {StateError} for a dynamic segment
   */
  async addMembers(id: string, contactIds: readonly string[]): Promise<MembershipChange> {
    return this.#edit(id, contactIds, 'add');
  }

  /**
   * Removes contacts from a static list (1 to 1000 ids); each one in it emits `segment.left`.
   * @throws {NotFoundError} @throws {StateError} for a dynamic segment
   */
  async removeMembers(id: string, contactIds: readonly string[]): Promise<MembershipChange> {
    return this.#edit(id, contactIds, 'remove');
  }

  async #edit(id: string, contactIds: readonly string[], how: 'add' | 'remove'): Promise<MembershipChange> {
    const segmentId = parseInput(idSchema, id, 'segment id');
    const ids = parseInput(contactIdsSchema, contactIds, 'contact ids');
    return this.ctx.write(async (w) => {
      const segment = await this.store.get(segmentId, w.tx, true);
      if (segment.kind !== 'static') throw new StateError(`Segment ${segmentId} is dynamic: its rule decides its members`);
      return { changed: how === 'add' ? await addMembers(w, segment, ids) : await removeMembers(w, segment, ids) };
    });
  }

  /**
   * A page of the segment's members (as of its last refresh, for a dynamic
   * one), as contacts; `where` and `orderBy` as in `contacts.list`, keyset
   * paged with signed cursors.
   * @throws {NotFoundError} @throws {ValidationError}
   * @example
   * for (let page = await t.segments.members(id); ; page = await t.segments.members(id, { cursor: page.nextCursor })) {
   *   send(page.items);
   *   if (!page.nextCursor) break;
   * }
   */
  async members(id: string, options?: ListOptions): Promise<Page<Contact>> {
    const segment = await this.get(id);
    return this.#contacts.list(parseInput(listOptionsSchema, options, 'list options'), storedMembers(segment.id));
  }

  /**
   * How many members the segment has: stored (as of the last refresh), or
   * with `live` the contacts its rule matches now, counted in the database.
   * @throws {NotFoundError} @throws {StateError} for `live` on a static segment
   */
  async count(id: string, options?: SegmentCountOptions): Promise<number> {
    const { live } = parseInput(countOptionsSchema, options, 'count options');
    const segment = await this.get(id);
    if (!live) return this.#contacts.count(storedMembers(segment.id));
    if (segment.rule === null) throw new StateError(`Segment ${segment.id} is a static list: it has no rule to evaluate`);
    return this.#contacts.count(compileRule(segment.rule, this.ctx.now()));
  }

  /**
   * The segments a contact is a stored member of, by name.
   * @throws {ValidationError}
   */
  async ofContact(contactId: string): Promise<Segment[]> {
    const id = parseInput(idSchema, contactId, 'contact id');
    return this.store.all({ id: { inQuery: { model: segmentMemberModel, field: 'segmentId', where: { contactId: id } } } }, [{ field: 'name' }]);
  }
}
