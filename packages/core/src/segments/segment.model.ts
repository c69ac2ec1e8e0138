import { defineModel, typedField } from '../storage/schema.js';
import type { SegmentKind, SegmentRule } from './segment-rule.js';

/** Storage of segments: a saved rule over contacts (dynamic) or an explicit list (static). */
export const segmentModel = defineModel({
  name: 'segment',
  table: 'crm_segment',
  fields: {
    name: { type: 'string' },
    description: { type: 'text', nullable: true },
    kind: typedField<SegmentKind>('string'),
    // The rule of a dynamic segment as the caller wrote it (relative times stay relative); null for a static list.
    rule: typedField<SegmentRule | null>('json', { nullable: true }),
    refreshEveryMinutes: { type: 'integer', nullable: true },
    // When a scheduled refresh is due, and until when a `refreshDue` runner holds it.
    refreshDueAt: { type: 'timestamp', nullable: true },
    refreshLeasedUntil: { type: 'timestamp', nullable: true },
    refreshedAt: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'name', fields: ['name'], unique: true },
    { name: 'refresh_due', fields: ['refreshDueAt'], whereNotNull: ['refreshDueAt'] },
  ],
});

/**
 * The stored membership of segments: one row per (segment, contact). A
 * dynamic segment's rows are what its last refresh found; a static list's
 * are the contacts added to it.
 */
export const segmentMemberModel = defineModel({
  name: 'segmentMember',
  table: 'crm_segment_member',
  versioned: false,
  fields: {
    segmentId: { type: 'string' },
    contactId: { type: 'string' },
    addedAt: { type: 'timestamp' },
  },
  indexes: [
    // The merge of a refresh reads a segment's members in contact id order.
    { name: 'segment_contact', fields: ['segmentId', 'contactId'], unique: true },
    { name: 'contact', fields: ['contactId'] },
  ],
});
