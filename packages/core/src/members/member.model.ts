import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { MemberRole } from './member.schema.js';

/** Storage of members: the host's users who own records. */
export const memberModel = defineModel({
  name: 'member',
  table: 'crm_member',
  fields: {
    ...ownedFields,
    name: { type: 'string' },
    email: { type: 'string', nullable: true },
    role: typedField<MemberRole>('string'),
    /** Roles besides `role` (issue 12). */
    roles: typedField<string[]>('json'),
    teamIds: typedField<string[]>('json'),
    active: { type: 'boolean' },
    externalId: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'email', fields: ['email'], unique: true, whereNotNull: ['email'] },
    { name: 'external', fields: ['externalId'], unique: true, whereNotNull: ['externalId'] },
    { name: 'name', fields: ['name'] },
  ],
});

/** Storage of teams: sales teams, regional offices, support groups. */
export const teamModel = defineModel({
  name: 'team',
  table: 'crm_team',
  fields: {
    ...ownedFields,
    name: { type: 'string' },
    managerId: { type: 'string', nullable: true },
    parentTeamId: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'name', fields: ['name'], unique: true },
    { name: 'parent', fields: ['parentTeamId'] },
  ],
});
