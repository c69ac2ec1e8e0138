import { defineEntity, sameShape } from '../entities/entity.js';
import type { BaseRecord } from '../common/record.js';
import type { FieldAccessRule } from './access-levels.js';
import { roleModel } from './role.model.js';
import type { EntityGrant } from './role.schema.js';

/** A role a tenant stores (`t.roles`): levels per entity and action, field-level rules. */
export interface Role extends BaseRecord {
  name: string;
  description: string | null;
  grants: Partial<Record<string, EntityGrant>>;
  fields: Partial<Record<string, Record<string, FieldAccessRule>>>;
}

/** Roles stored per tenant. */
export const roleEntity = defineEntity({
  name: 'role', service: 'roles', model: roleModel,
  toRecord: (row): Role => row, toRow: sameShape.toRow<Role>,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});
