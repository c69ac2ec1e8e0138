import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { idSchema, optionalText } from '../common/zod-helpers.js';
import { roleNameSchema } from '../access/role-name.js';

/** Roles a member can have; hosts map their own roles onto these. */
export const memberRoles = ['rep', 'manager', 'agent', 'admin', 'read-only'] as const;
/** One of {@link memberRoles}. */
export type MemberRole = (typeof memberRoles)[number];

/** Input of `members.create`. */
export const memberInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).transform((e) => e.toLowerCase()).nullable().optional(),
  role: z.enum(memberRoles).optional().default('rep'),
  roles: z.array(roleNameSchema).max(20).optional().default([]),
  teamIds: z.array(idSchema).max(50).optional().default([]),
  active: z.boolean().optional().default(true),
  externalId: optionalText(128),
  ...ownedInputShape,
});
/** Input of `members.create` as the caller writes it. */
export type MemberInput = z.input<typeof memberInputSchema>;

/** Input of `members.update`. */
export const memberPatchSchema = memberInputSchema.partial().extend({
  role: z.enum(memberRoles).optional(),
  roles: z.array(roleNameSchema).max(20).optional(),
  teamIds: z.array(idSchema).max(50).optional(),
  active: z.boolean().optional(),
});
/** Input of `members.update`. */
export type MemberPatch = z.input<typeof memberPatchSchema>;

/** A member: a user of the host application who owns records. */
export interface Member extends OwnedRecord {
  name: string;
  email: string | null;
  role: MemberRole;
  /** Roles besides `role`, built-in or defined (in code or by `t.roles`); the most permissive grant of all of them wins. */
  roles: string[];
  /** Teams the member belongs to. */
  teamIds: string[];
  /** Inactive members keep their records but receive no new assignments. */
  active: boolean;
  /** The host's own id for this user. */
  externalId: string | null;
}

/** Input of `teams.create`. */
export const teamInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  managerId: idSchema.nullable().optional(),
  parentTeamId: idSchema.nullable().optional(),
  ...ownedInputShape,
});
/** Input of `teams.create`. */
export type TeamInput = z.input<typeof teamInputSchema>;

/** Input of `teams.update`. */
export const teamPatchSchema = teamInputSchema.partial();
/** Input of `teams.update`. */
export type TeamPatch = z.input<typeof teamPatchSchema>;

/** A team, optionally inside a parent team (a regional office holding managers' teams). */
export interface Team extends OwnedRecord {
  name: string;
  managerId: string | null;
  parentTeamId: string | null;
}
