import type { Member } from '@crmkit/core';
import type { Host } from '../host/host.js';
import { findSignInMembers, type SignInRole, signInRoles } from './demo-members.js';

/** An API key just issued for a member; the token is shown once. */
export interface SignInKey {
  member: Member;
  token: string;
}

/**
 * Issues a fresh API key for each sign-in member of a seeded tenant. Only a
 * key's hash is stored, so a restarted server cannot print the old keys:
 * it issues new ones (the old ones stay valid until revoked).
 */
export async function issueSignInKeys(host: Host, tenantId: string, label: string): Promise<Record<SignInRole, SignInKey>> {
  const members = await findSignInMembers(host.crm.system(tenantId));
  const keys = {} as Record<SignInRole, SignInKey>;
  for (const role of signInRoles) {
    const { token } = await host.credentials.issue(tenantId, members[role].id, { kind: 'api-key', label: `${label} (${role})` });
    keys[role] = { member: members[role], token };
  }
  return keys;
}
