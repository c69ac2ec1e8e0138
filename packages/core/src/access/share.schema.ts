import { z } from 'zod';
import { idSchema } from '../common/zod-helpers.js';
import { entities, type EntityName } from '../entities/registry.js';

/** What a share adds: `read` makes the record readable, `write` readable and updatable. */
export const shareAccesses = ['read', 'write'] as const;
/** One of {@link shareAccesses}. */
export type ShareAccess = (typeof shareAccesses)[number];

/**
 * The entities whose records can be shared: every registry entity but roles
 * (a role is tenant set-up, granted by the `role` entity's levels alone).
 */
export const shareableEntities = (Object.keys(entities) as EntityName[]).filter((name) => name !== 'role') as Exclude<EntityName, 'role'>[];
/** One of {@link shareableEntities}. */
export type ShareableEntity = Exclude<EntityName, 'role'>;

/** Input of `shares.grant`: one record, to exactly one member or one team. */
export const shareInputSchema = z
  .strictObject({
    /** The registry entity of the record (`contact`, `deal`...). */
    entity: z.enum(shareableEntities as [ShareableEntity, ...ShareableEntity[]]),
    recordId: idSchema,
    memberId: idSchema.optional(),
    teamId: idSchema.optional(),
    access: z.enum(shareAccesses),
  })
  .refine((s) => (s.memberId === undefined) !== (s.teamId === undefined), {
    message: 'a share goes to exactly one of memberId and teamId',
    path: ['memberId'],
  });
/** Input of `shares.grant`. */
export type ShareInput = z.input<typeof shareInputSchema>;

/**
 * One record shared beyond what roles grant: readable (`read`) or writable
 * (`write`) by a member, or by the members of a team and of every team it
 * sits inside. Deleted with the record.
 */
export interface Share {
  /** The tenant. */
  tenantId: string;
  /** Sortable unique id. */
  id: string;
  /** ISO UTC timestamp of the first grant. */
  createdAt: string;
  /** ISO UTC timestamp of the last grant (a grant again may change `access`). */
  updatedAt: string;
  /** The registry entity of the record. */
  entity: ShareableEntity;
  /** The shared record. */
  recordId: string;
  /** The member it is shared with, or null for a team's share. */
  memberId: string | null;
  /** The team it is shared with, or null for a member's share. */
  teamId: string | null;
  /** What the share adds. */
  access: ShareAccess;
  /** The member who granted it last; null when the system scope did. */
  sharedBy: string | null;
}
