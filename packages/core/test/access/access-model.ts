import { type AccessAction, type AccessLevel, accessLevels, builtInRoles, type RoleDefinition } from '@crmkit/core';

/**
 * An in-memory model of the access rules (docs: issue 12, notes/access.md),
 * written from the rules, not from the implementation, for the property
 * tests to compare every call against:
 *
 * - a member's roles are `role` plus `roles`; each name resolves to the
 *   tenant's stored role of that name, else the code's, else the built-in;
 *   the most permissive level wins;
 * - a role's level for (entity, action): the entity's grant (a level, or the
 *   action's level in an object), else the `'*'` grant, else `none`;
 * - `own`: the record's owner is the actor; `team`: the owner is the actor
 *   or a member of a team in the actor's team closure (the actor's teams and
 *   every team below them through `parentTeamId`), or a case is queued to a
 *   team of that closure; `all`: every record;
 * - shares add `read` (read or write share) and `update` (write share), to
 *   the member named, or to a team T when T is in the actor's team closure;
 * - the system scope (no actor) may do everything in its tenant.
 */

/** The entities the properties exercise (ownable, without parents; cases also queue to a team). */
export type ModelEntity = 'contact' | 'deal' | 'case';

/** A team of one tenant. */
export interface ModelTeam {
  id: string;
  parentTeamId: string | null;
}

/** A member of one tenant: the names of their roles and their teams. */
export interface ModelMember {
  id: string;
  roleNames: string[];
  teamIds: string[];
}

/** A record as the model keeps it: what decides access plus the field the properties change. */
export interface ModelRecord {
  id: string;
  entity: ModelEntity;
  ownerId: string | null;
  /** The team a case is queued to (null for contacts and deals). */
  teamId: string | null;
  /** `lastName` of a contact, `source` of a deal, `subject` of a case. */
  value: string | null;
  /** How many writes the record has seen (its version is this plus one). */
  writes: number;
}

/** A share of one record. */
export interface ModelShare {
  entity: ModelEntity;
  recordId: string;
  memberId: string | null;
  teamId: string | null;
  access: 'read' | 'write';
}

/** What a call should do: succeed, or fail with one of the two access errors. */
export type Outcome = 'ok' | 'NotFound' | 'Forbidden';

/** One tenant's world. */
export class TenantModel {
  readonly teams = new Map<string, ModelTeam>();
  readonly members = new Map<string, ModelMember>();
  readonly records = new Map<string, ModelRecord>();
  readonly shares: ModelShare[] = [];

  constructor(
    readonly tenantId: string,
    /** Role definitions by name: the built-ins, replaced or extended by the code's, then by the tenant's stored ones. */
    readonly roles: Map<string, RoleDefinition>,
  ) {}

  /** Records a grant: one share per record and member (or team); granting again replaces its access. */
  share(record: ModelRecord, to: { memberId: string } | { teamId: string }, access: 'read' | 'write'): void {
    const memberId = 'memberId' in to ? to.memberId : null;
    const teamId = 'teamId' in to ? to.teamId : null;
    const existing = this.shares.find((s) => s.recordId === record.id && s.memberId === memberId && s.teamId === teamId);
    if (existing) existing.access = access;
    else this.shares.push({ entity: record.entity, recordId: record.id, memberId, teamId, access });
  }

  /** Forgets a deleted record and, with it, its shares. */
  remove(recordId: string): void {
    this.records.delete(recordId);
    for (let i = this.shares.length - 1; i >= 0; i--) if (this.shares[i]!.recordId === recordId) this.shares.splice(i, 1);
  }

  /** The actor's teams and every team below them, by walking parent links downwards. */
  closure(actorId: string): Set<string> {
    const seen = new Set<string>();
    const stack = [...(this.members.get(actorId)?.teamIds ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const team of this.teams.values()) if (team.parentTeamId === id) stack.push(team.id);
    }
    return seen;
  }

  /** The actor and every member of a team in the actor's closure. */
  teamMates(actorId: string): Set<string> {
    const closure = this.closure(actorId);
    const mates = new Set([actorId]);
    for (const m of this.members.values()) if (m.teamIds.some((t) => closure.has(t))) mates.add(m.id);
    return mates;
  }

  /** The most permissive level of the actor's roles. */
  level(actorId: string, entity: ModelEntity, action: AccessAction): AccessLevel {
    let best: AccessLevel = 'none';
    for (const name of this.members.get(actorId)?.roleNames ?? []) {
      const role = this.roles.get(name);
      if (role === undefined) continue;
      const level = roleLevelOf(role, entity, action);
      if (accessLevels.indexOf(level) > accessLevels.indexOf(best)) best = level;
    }
    return best;
  }

  /** Whether an owner (and a case's team) falls inside a level for the actor. */
  ownerInside(actorId: string, level: AccessLevel, ownerId: string | null, teamId: string | null = null): boolean {
    if (level === 'all') return true;
    if (level === 'none') return false;
    if (ownerId !== null && ownerId === actorId) return true;
    if (level !== 'team') return false;
    return (ownerId !== null && this.teamMates(actorId).has(ownerId)) || (teamId !== null && this.closure(actorId).has(teamId));
  }

  /** Whether a share of the record reaches the actor (for `write`, a write share). */
  shared(actorId: string, record: ModelRecord, write: boolean): boolean {
    const closure = this.closure(actorId);
    return this.shares.some((s) => s.entity === record.entity && s.recordId === record.id
      && (!write || s.access === 'write')
      && (s.memberId === actorId || (s.teamId !== null && closure.has(s.teamId))));
  }

  /** Whether the actor (null: the system) may `action` the record. */
  can(actorId: string | null, record: ModelRecord, action: AccessAction): boolean {
    if (actorId === null) return true;
    if (this.ownerInside(actorId, this.level(actorId, record.entity, action), record.ownerId, record.teamId)) return true;
    if (action === 'read') return this.shared(actorId, record, false);
    if (action === 'update') return this.shared(actorId, record, true);
    return false;
  }

  /** The records of an entity the actor may read, in id order. */
  visible(actorId: string | null, entity: ModelEntity): ModelRecord[] {
    return [...this.records.values()].filter((r) => r.entity === entity && this.can(actorId, r, 'read')).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The outcome of an action on an existing record of this tenant: missing when unreadable, refused when readable only. */
  outcome(actorId: string | null, recordId: string, actions: readonly AccessAction[]): Outcome {
    const record = this.records.get(recordId);
    if (record === undefined || !this.can(actorId, record, 'read')) return 'NotFound';
    return actions.every((a) => this.can(actorId, record, a)) ? 'ok' : 'Forbidden';
  }

  /** The outcome of creating a record with this owner (and team, for a case). */
  createOutcome(actorId: string | null, entity: ModelEntity, ownerId: string | null, teamId: string | null): Outcome {
    if (actorId === null) return 'ok';
    return this.ownerInside(actorId, this.level(actorId, entity, 'create'), ownerId, teamId) ? 'ok' : 'Forbidden';
  }
}

/** A role's level, from its grants as documented: the entity's own grant, else `'*'`, else `none`. */
export function roleLevelOf(role: RoleDefinition, entity: ModelEntity, action: AccessAction): AccessLevel {
  const pick = (grant: RoleDefinition['grants'][ModelEntity]) => (grant === undefined ? undefined : typeof grant === 'string' ? grant : grant[action]);
  return pick(role.grants[entity]) ?? pick(role.grants['*']) ?? 'none';
}

/**
 * The roles of a tenant: the built-ins, each replaced by a role of its name
 * in `overrides` (the code's roles, then the tenant's stored ones: later wins).
 */
export function roleTable(overrides: readonly RoleDefinition[]): Map<string, RoleDefinition> {
  const table = new Map<string, RoleDefinition>(builtInRoles.map((r) => [r.name, r]));
  for (const role of overrides) table.set(role.name, role);
  return table;
}
