import { createHash, randomBytes } from 'node:crypto';
import { type Clock, type Crm, type Member, newId } from '@crmkit/core';
import { HttpProblem } from '../http/problem.js';
import { type CredentialKind, credentialModel } from './credential.model.js';

/** Who a request is: the tenant and the member it runs as. */
export interface SignedIn {
  tenantId: string;
  member: Member;
  credentialId: string;
}

/** A credential just issued: `token` is shown once and never stored. */
export interface IssuedCredential {
  id: string;
  /** `<tenant>/<secret>`: the tenant says where to look, the secret proves who it is. */
  token: string;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * API keys and sessions of the host, in crmkit's own database (table
 * `host_credential`). A token is `<tenant id>/<secret>`: tenant ids never
 * hold a `/`, so the last one splits it.
 */
export class Credentials {
  constructor(
    private readonly crm: Crm,
    private readonly clock: Clock,
  ) {}

  /** Issues a credential for a member of a tenant (checked to exist and be active). */
  async issue(tenantId: string, memberId: string, options: { kind: CredentialKind; label: string; ttlMs?: number }): Promise<IssuedCredential> {
    const member = await this.crm.system(tenantId).members.get(memberId);
    if (!member.active) throw new HttpProblem(403, 'MEMBER_INACTIVE', `Member ${memberId} is not active`);
    const secret = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const id = newId();
    const expiresAt = options.ttlMs === undefined ? null : new Date(now.getTime() + options.ttlMs).toISOString();
    await this.crm.adapter.create({
      model: credentialModel, tenantId,
      data: { id, createdAt: now.toISOString(), updatedAt: now.toISOString(), kind: options.kind, secretHash: hash(secret), memberId, label: options.label, expiresAt, revokedAt: null },
    });
    return { id, token: `${tenantId}/${secret}` };
  }

  /**
   * The member a token signs in, or a 401 problem: unknown, revoked or
   * expired tokens and inactive members are refused alike.
   */
  async verify(token: string, kind: CredentialKind): Promise<SignedIn> {
    const slash = token.lastIndexOf('/');
    const tenantId = token.slice(0, slash);
    const secret = token.slice(slash + 1);
    const refused = new HttpProblem(401, 'UNAUTHENTICATED', kind === 'api-key' ? 'The API key is missing, unknown or revoked' : 'Please sign in');
    if (slash < 1 || secret.length < 16 || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(tenantId)) throw refused;
    const [row] = await this.crm.adapter.findMany({ model: credentialModel, tenantId, where: { secretHash: hash(secret) }, limit: 1 });
    const now = this.clock.now().toISOString();
    if (!row || row.kind !== kind || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) throw refused;
    const member = await this.crm.system(tenantId).members.get(row.memberId).catch(() => undefined);
    if (!member?.active) throw refused;
    return { tenantId, member, credentialId: row.id };
  }

  /** Revokes a credential of the tenant (signing out revokes the session). */
  async revoke(tenantId: string, credentialId: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.crm.adapter.updateMany({ model: credentialModel, tenantId, where: { id: credentialId }, data: { revokedAt: now, updatedAt: now } });
  }
}
