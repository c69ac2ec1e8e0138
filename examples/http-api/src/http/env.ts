import type { TenantScope } from '@crmkit/core';
import type { SignedIn } from '../auth/credentials.js';

/**
 * What every authenticated request carries in Hono's context: who signed in,
 * and `crm.tenant(tenantId, { actorId })` for them, so every crmkit call of
 * the request runs as that member under access control.
 */
export interface ApiEnv {
  Variables: {
    signedIn: SignedIn;
    /** The member's tenant scope: reads and writes are limited to what their roles, teams and shares allow. */
    t: TenantScope;
  };
}
