import { defineModel, typedField } from '../storage/schema.js';
import type { EntityGrant } from './role.schema.js';
import type { FieldAccessRule } from './access-levels.js';

/** Storage of the roles a tenant defines beyond (or instead of) the ones in code. */
export const roleModel = defineModel({
  name: 'role',
  table: 'crm_role',
  fields: {
    name: { type: 'string' },
    description: { type: 'text', nullable: true },
    grants: typedField<Partial<Record<string, EntityGrant>>>('json'),
    fields: typedField<Partial<Record<string, Record<string, FieldAccessRule>>>>('json'),
  },
  indexes: [{ name: 'name', fields: ['name'], unique: true }],
});

/**
 * Storage of shares: one record made readable (`read`) or writable (`write`)
 * to a member or a team beyond what their roles grant. Exactly one of
 * `memberId` and `teamId` is set; a team's share reaches its sub-teams.
 */
export const shareModel = defineModel({
  name: 'share',
  table: 'crm_share',
  versioned: false,
  fields: {
    entity: { type: 'string' },
    recordId: { type: 'string' },
    memberId: { type: 'string', nullable: true },
    teamId: { type: 'string', nullable: true },
    access: typedField<'read' | 'write'>('string'),
    sharedBy: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'member', fields: ['entity', 'memberId', 'recordId'], unique: true, whereNotNull: ['memberId'] },
    { name: 'team', fields: ['entity', 'teamId', 'recordId'], unique: true, whereNotNull: ['teamId'] },
    { name: 'record', fields: ['entity', 'recordId'] },
  ],
});
