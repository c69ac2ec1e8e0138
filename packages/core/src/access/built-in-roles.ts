import type { RoleDefinition } from './role.schema.js';

/** Read every record of the entities without an owner: the catalogue and the shared set-up. */
const readShared = { pipeline: { read: 'all' }, stage: { read: 'all' }, segment: { read: 'all' }, survey: { read: 'all' }, slaPolicy: { read: 'all' } } as const;

/**
 * The roles every tenant has without defining any; a role of the same name
 * (in code or stored) replaces one. A member's `role` names one of these
 * unless the host defines more. They are examples as much as defaults: most
 * hosts will want their own.
 */
export const builtInRoles: readonly RoleDefinition[] = [
  {
    name: 'admin',
    description: 'Everything, on every record.',
    grants: { '*': 'all' },
  },
  {
    name: 'manager',
    description: 'Reads everything; changes, exports and reassigns the records of their teams.',
    grants: {
      '*': { read: 'all', create: 'team', update: 'team', delete: 'team', export: 'team', merge: 'team', assign: 'team' },
      pipeline: 'all', stage: 'all', segment: 'all', survey: 'all', slaPolicy: 'all', product: 'all', campaign: 'all',
      member: { read: 'all' }, team: { read: 'all' }, role: { read: 'all' },
    },
  },
  {
    name: 'rep',
    description: 'A sales rep: reads everything, changes their own records.',
    grants: {
      '*': { read: 'all', create: 'own', update: 'own', delete: 'own', export: 'own', assign: 'own' },
      ...readShared, segment: { read: 'all', create: 'all', update: 'all' },
      member: { read: 'all' }, team: { read: 'all' }, product: { read: 'all' }, campaign: { read: 'all' }, role: { read: 'all' },
    },
  },
  {
    name: 'agent',
    description: 'A service agent: works the cases of their teams; reads customers.',
    grants: {
      '*': { read: 'all', create: 'own', update: 'own' },
      ...readShared, survey: { read: 'all', create: 'all', update: 'all' },
      case: { read: 'team', create: 'team', update: 'team', assign: 'team' },
      deal: { read: 'own' }, order: { read: 'all' },
      member: { read: 'all' }, team: { read: 'all' }, product: { read: 'all' }, campaign: { read: 'all' }, role: { read: 'all' },
    },
  },
  {
    name: 'read-only',
    description: 'Reads every record; changes and exports nothing.',
    grants: { '*': { read: 'all' } },
  },
];
