import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { type CursorScope, cursorScope } from '../common/list.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { ValidationError } from '../errors.js';
import { dealContactModel, dealModel, stageChangeModel } from '../deals/deal.model.js';
import type { StageChange } from '../deals/stage-history.js';
import { interactionContactModel, interactionModel } from '../interactions/interaction.model.js';
import type { Interaction } from '../interactions/interaction.schema.js';
import type { Row } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';
import type { Where } from '../storage/where.js';
import { taskEntity } from '../tasks/task.entity.js';
import { taskModel } from '../tasks/task.model.js';
import type { Task } from '../tasks/task.schema.js';
import { interactionEntity } from '../interactions/interaction.entity.js';
import { assertReadableSubject } from './readable-subject.js';

type TaskRow = NonNullable<(typeof taskModel)['rowType']>;
type InteractionRow = NonNullable<(typeof interactionModel)['rowType']>;

/** One entry of a timeline, newest first. */
export type TimelineItem =
  | { kind: 'interaction'; at: string; id: string; interaction: Interaction }
  | { kind: 'stageChange'; at: string; id: string; change: StageChange }
  | { kind: 'task'; at: string; id: string; task: Task };

/** A page of a timeline. */
export interface TimelinePage {
  items: TimelineItem[];
  /** Pass as `cursor` for older entries; absent on the last page. */
  nextCursor?: string;
}

/** Options of the timeline methods. */
export interface TimelineOptions {
  /** @default 50 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

const optionsSchema = z
  .strictObject({ limit: z.number().int().min(1).max(500).optional().default(50), cursor: z.string().max(1024).optional() })
  .optional()
  .default({ limit: 50 });

type Position = { at: string; id: string };

/** One kind of entry: where to read it and how to turn a row into an item. */
interface Source {
  model: ModelDefinition;
  where: Where;
  timeField: string;
  /** The cursor id in this source's id space (link tables prefix the item id). */
  rowId?: (itemId: string) => string;
  toItems: (rows: Row[]) => Promise<TimelineItem[]>;
}

/**
 * Timelines merge interactions, deal stage changes and tasks about a record in
 * time order. Each source is read by index from the cursor on, `limit + 1`
 * rows at most, then merged: the page is exact without reading whole histories.
 * Reached as `crm.tenant(id).timeline`.
 */
export class TimelineService {
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /**
   * Everything about a contact: interactions it took part in, stage changes of its deals, tasks about it.
   * Each entry is one the acting member may read.
   * @throws {NotFoundError} for a contact the acting member may not read
   */
  async forContact(contactId: string, options?: TimelineOptions): Promise<TimelinePage> {
    const id = parseInput(idSchema, contactId, 'contact id');
    await assertReadableSubject(this.#ctx, 'contact', id);
    // A semi-join, not a list of deal ids: a contact may be on tens of thousands of deals.
    const deals: Where = { dealId: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId: id } } } };
    return this.#page(options, `contact:${id}`, [
      {
        model: interactionContactModel, where: { contactId: id }, timeField: 'occurredAt',
        rowId: (itemId) => `${itemId}:${id}`, toItems: (rows) => this.#interactions(rows.map((r) => r.interactionId as string)),
      },
      this.#stageChanges(deals),
      this.#tasks('contact', id),
    ]);
  }

  /**
   * Everything about a company: its interactions, stage changes of its deals, tasks about it.
   * Each entry is one the acting member may read.
   * @throws {NotFoundError} for a company the acting member may not read
   */
  async forCompany(companyId: string, options?: TimelineOptions): Promise<TimelinePage> {
    const id = parseInput(idSchema, companyId, 'company id');
    await assertReadableSubject(this.#ctx, 'company', id);
    const deals: Where = { dealId: { inQuery: { model: dealModel, field: 'id', where: { companyId: id } } } };
    return this.#page(options, `company:${id}`, [this.#interactionSource({ companyId: id }), this.#stageChanges(deals), this.#tasks('company', id)]);
  }

  /**
   * Everything about a deal: its interactions, its stage changes, tasks about it.
   * Each entry is one the acting member may read.
   * @throws {NotFoundError} for a deal the acting member may not read
   */
  async forDeal(dealId: string, options?: TimelineOptions): Promise<TimelinePage> {
    const id = parseInput(idSchema, dealId, 'deal id');
    await assertReadableSubject(this.#ctx, 'deal', id);
    return this.#page(options, `deal:${id}`, [this.#interactionSource({ dealId: id }), this.#stageChanges({ dealId: id }), this.#tasks('deal', id)]);
  }

  async #page(options: TimelineOptions | undefined, subject: string, sources: Source[]): Promise<TimelinePage> {
    const { limit, cursor } = parseInput(optionsSchema, options, 'timeline options');
    const scope = cursorScope(this.#ctx, `timeline:${subject}`);
    const after = cursor === undefined ? undefined : readPosition(scope, cursor);
    const batches = await Promise.all(sources.map(async (source) => {
      const rows = await this.#ctx.storage.findMany({
        model: source.model, tenantId: this.#ctx.tenantId, where: source.where,
        orderBy: [{ field: source.timeField, direction: 'desc' }],
        ...(after ? { after: { [source.timeField]: after.at, id: source.rowId ? source.rowId(after.id) : after.id } } : {}),
        limit: limit + 1,
      });
      return source.toItems(rows);
    }));
    const merged = batches.flat().sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    const items = merged.slice(0, limit);
    const last = items[items.length - 1];
    return merged.length > limit && last ? { items, nextCursor: scope.codec.encode(positionScope(scope), [last.at, last.id]) } : { items };
  }

  #interactionSource(where: Where): Source {
    return {
      model: interactionModel, where, timeField: 'occurredAt',
      toItems: async (rows) => rows.map((r) => interactionItem(r)),
    };
  }

  #stageChanges(where: Where): Source {
    return {
      model: stageChangeModel, where, timeField: 'at',
      toItems: async (rows) => rows.map((r) => ({ kind: 'stageChange', at: r.at as string, id: r.id as string, change: r as unknown as StageChange })),
    };
  }

  #tasks(linkedType: string, linkedId: string): Source {
    return {
      model: taskModel, where: { linkedType, linkedId }, timeField: 'createdAt',
      // Through the entity's own mapping: what it drops (inbox sort keys) and marks (the entity, for field rules) holds here too.
      toItems: async (rows) => rows.map((r) => ({ kind: 'task', at: r.createdAt as string, id: r.id as string, task: taskEntity.toRecord(r as TaskRow) })),
    };
  }

  async #interactions(ids: string[]): Promise<TimelineItem[]> {
    if (ids.length === 0) return [];
    const rows = await this.#ctx.storage.findMany({ model: interactionModel, tenantId: this.#ctx.tenantId, where: { id: { in: ids } } });
    return rows.map((row) => interactionItem(row));
  }
}

/** An interaction row as a timeline entry, through the entity's own mapping (see the task entries). */
function interactionItem(row: Row | InteractionRow): TimelineItem {
  const interaction: Interaction = interactionEntity.toRecord(row as InteractionRow);
  return { kind: 'interaction', at: interaction.occurredAt, id: interaction.id, interaction };
}

// The timeline's own list: one cursor space per record, across its three sources.
function positionScope(scope: CursorScope): string {
  return `${scope.tenantId}\0${scope.list}`;
}

function readPosition(scope: CursorScope, cursor: string): Position {
  const [at, id, ...rest] = scope.codec.decode(positionScope(scope), cursor);
  if (typeof at !== 'string' || typeof id !== 'string' || rest.length > 0) throw ValidationError.single('Invalid cursor', ['cursor']);
  return { at, id };
}
