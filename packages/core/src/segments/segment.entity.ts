import { defineEntity } from '../entities/entity.js';
import { segmentModel } from './segment.model.js';
import type { Segment } from './segment.schema.js';

type SegmentRow = NonNullable<(typeof segmentModel)['rowType']>;

// The lease of a scheduled refresh is the runner's business, not the caller's.
function toSegment({ refreshLeasedUntil: _lease, ...segment }: SegmentRow): Segment {
  return segment;
}

/** Segments of contacts: saved rules and static lists. */
export const segmentEntity = defineEntity({
  name: 'segment', service: 'segments', model: segmentModel,
  toRecord: toSegment, toRow: (record: Partial<Segment>): Partial<SegmentRow> => record,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});
