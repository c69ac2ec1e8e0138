import type { Migration } from '../storage/migration.js';

/**
 * Access control (issue 12): `crm_role`, the roles a tenant stores;
 * `crm_share`, records shared with a member or a team; and
 * `crm_member.roles`, the roles a member has besides `role`. Frozen once released.
 */
export const accessControl0023: Migration = {
  id: '0023_access_control',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_role',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        version: { type: 'integer' },
        name: { type: 'string' },
        description: { type: 'text', nullable: true },
        grants: { type: 'json' },
        fields: { type: 'json' },
      },
      indexes: [{ name: 'name', fields: ['name'], unique: true }],
    },
    {
      kind: 'createTable',
      table: 'crm_share',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        entity: { type: 'string' },
        recordId: { type: 'string' },
        memberId: { type: 'string', nullable: true },
        teamId: { type: 'string', nullable: true },
        access: { type: 'string' },
        sharedBy: { type: 'string', nullable: true },
      },
      indexes: [
        { name: 'member', fields: ['entity', 'memberId', 'recordId'], unique: true, whereNotNull: ['memberId'] },
        { name: 'team', fields: ['entity', 'teamId', 'recordId'], unique: true, whereNotNull: ['teamId'] },
        { name: 'record', fields: ['entity', 'recordId'] },
      ],
    },
    { kind: 'addField', table: 'crm_member', field: 'roles', definition: { type: 'json' }, default: '[]' },
  ],
};
