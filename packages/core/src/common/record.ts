import { z } from 'zod';
import { type FieldDefinition, typedField } from '../storage/schema.js';
import { idSchema, tagsSchema } from './zod-helpers.js';

/** The fields every CRM record carries. */
export interface BaseRecord {
  /** The tenant the record belongs to. */
  tenantId: string;
  /** Sortable unique id (ULID). */
  id: string;
  /** ISO UTC timestamp of creation. */
  createdAt: string;
  /** ISO UTC timestamp of the last change. */
  updatedAt: string;
  /** Incremented by every update; pass it back as `expectedVersion` to guard writes. */
  version: number;
}

/** Fields of the records users own, tag and extend. */
export interface OwnedRecord extends BaseRecord {
  /** The member responsible for the record. */
  ownerId: string | null;
  /** Free labels, unique, in the order given. */
  tags: string[];
  /** Host-defined fields, validated by the schema registered for the entity. */
  custom: Record<string, unknown>;
}

/** Storage fields of {@link OwnedRecord} beyond the common ones. */
export const ownedFields = {
  ownerId: { type: 'string', nullable: true },
  tags: typedField<string[]>('json'),
  custom: typedField<Record<string, unknown>>('json'),
} as const satisfies Record<string, FieldDefinition>;

/** Zod shape of the owned-record inputs accepted on create and update. */
export const ownedInputShape = {
  ownerId: idSchema.nullable().optional(),
  tags: tagsSchema.optional(),
  custom: z.record(z.string().max(64), z.unknown()).optional(),
};

/** Zod shape of {@link BaseRecord}, for record schemas. */
export const baseRecordShape = {
  tenantId: z.string(),
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
};

/** Zod shape of {@link OwnedRecord}, for record schemas. */
export const ownedRecordShape = {
  ...baseRecordShape,
  ownerId: z.string().nullable(),
  tags: z.array(z.string()),
  custom: z.record(z.string(), z.unknown()),
};
