import { caseModel } from '../../cases/case.model.js';
import { dealModel } from '../../deals/deal.model.js';
import { interactionModel } from '../../interactions/interaction.model.js';
import { orderModel } from '../../orders/order.model.js';
import type { ModelDefinition } from '../../storage/schema.js';

/** The record kinds a cube reads. */
export const cubeSources = ['deals', 'orders', 'cases', 'interactions'] as const;
/** One of {@link cubeSources}. */
export type CubeSource = (typeof cubeSources)[number];

/**
 * The functions a measure is computed with. `median` and `p90` are continuous
 * percentiles (interpolated between the two nearest values, like SQL
 * `percentile_cont`). Nulls are ignored by every one of them.
 */
export const cubeFunctions = ['sum', 'avg', 'min', 'max', 'median', 'p90'] as const;
/** One of {@link cubeFunctions}. */
export type CubeFunction = (typeof cubeFunctions)[number];

/** A numeric field a cube measures: in minor units of the row's `currency` (`money`), or a plain number. */
export interface CubeMeasureField {
  readonly field: string;
  /** Minor units of the record's `currency`: the currency becomes a dimension of the cube. */
  readonly money: boolean;
}

/**
 * How the `team` dimension is read: the record's own `teamId` (cases are
 * routed to a team), or the teams of the record's owner (a member may be in
 * several teams: the record then counts in each of them).
 */
export type CubeTeamSource = 'field' | 'owner';

/** What a cube can measure and slice for one source. */
export interface CubeCatalogueEntry {
  readonly model: ModelDefinition<object>;
  /** Numeric measures by name (`count` is always there and needs no field). */
  readonly measures: Readonly<Record<string, CubeMeasureField>>;
  /** Plain dimensions by name: the field they group by. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Timestamp and date fields that `periods` may bucket. */
  readonly dateFields: readonly string[];
  readonly team: CubeTeamSource;
}

const money = (field: string): CubeMeasureField => ({ field, money: true });
const plain = (field: string): CubeMeasureField => ({ field, money: false });

/**
 * The measures and dimensions of each source. Names, not fields, are the
 * public surface (`stage`, not `stageId`), so a field can be renamed without
 * breaking saved cubes; custom fields are reached as `custom.<path>`.
 */
export const cubeCatalogue = {
  deals: {
    model: dealModel,
    measures: { amount: money('amountMinor'), weightedAmount: money('weightedAmountMinor'), probability: plain('probability') },
    dimensions: {
      owner: 'ownerId', pipeline: 'pipelineId', stage: 'stageId', status: 'status', source: 'source', lostReason: 'lostReason',
      company: 'companyId', campaign: 'campaignId', currency: 'currency',
    },
    dateFields: ['createdAt', 'closedAt', 'expectedCloseOn', 'stageEnteredAt'],
    team: 'owner',
  },
  orders: {
    model: orderModel,
    measures: { revenue: money('totalMinor') },
    dimensions: { owner: 'ownerId', status: 'status', channel: 'channel', contact: 'contactId', company: 'companyId', currency: 'currency' },
    dateFields: ['createdAt', 'placedAt', 'paidAt', 'fulfilledAt', 'cancelledAt', 'returnedAt'],
    team: 'owner',
  },
  cases: {
    model: caseModel,
    measures: {
      firstResponseMinutes: plain('firstResponseMinutes'), firstResponseBusinessMinutes: plain('firstResponseBusinessMinutes'),
      resolutionMinutes: plain('resolutionMinutes'), resolutionBusinessMinutes: plain('resolutionBusinessMinutes'),
      pausedMinutes: plain('pausedMinutes'), reopenCount: plain('reopenCount'), satisfaction: plain('satisfaction'),
    },
    dimensions: {
      owner: 'ownerId', team: 'teamId', type: 'type', channel: 'channel', priority: 'priority', status: 'status', company: 'companyId',
      contact: 'contactId', slaPolicy: 'slaPolicyId', firstResponseBreached: 'firstResponseBreached', resolutionBreached: 'resolutionBreached',
    },
    dateFields: ['createdAt', 'openedAt', 'firstResponseAt', 'resolvedAt', 'closedAt'],
    team: 'field',
  },
  interactions: {
    model: interactionModel,
    measures: { durationSeconds: plain('durationSeconds') },
    dimensions: {
      owner: 'ownerId', type: 'type', direction: 'direction', channel: 'channel', outcome: 'outcome', company: 'companyId',
      deal: 'dealId', campaign: 'campaignId',
    },
    dateFields: ['createdAt', 'occurredAt'],
    team: 'owner',
  },
} as const satisfies Record<CubeSource, CubeCatalogueEntry>;

type Catalogue = typeof cubeCatalogue;

/** A measure of source `S`: `count`, or `<measure>.<function>` (`amount.sum`, `resolutionMinutes.median`). */
export type CubeMeasure<S extends CubeSource = CubeSource> = 'count' | `${keyof Catalogue[S]['measures'] & string}.${CubeFunction}`;

/**
 * A dimension of source `S`: a catalogue name (`owner`, `stage`...), `team`,
 * or a custom field path (`custom.region`, `custom.address.city`).
 */
export type CubeDimension<S extends CubeSource = CubeSource> = keyof Catalogue[S]['dimensions'] | 'team' | `custom.${string}`;

/** A timestamp or date field of source `S` that `periods` may bucket. */
export type CubeDateField<S extends CubeSource = CubeSource> = Catalogue[S]['dateFields'][number];

/** The catalogue entry of a source, widened for lookups by name. */
export function catalogueOf(source: CubeSource): CubeCatalogueEntry {
  return cubeCatalogue[source];
}
