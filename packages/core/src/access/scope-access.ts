import type { Storage } from '../storage/adapter.js';
import type { AccessPolicy } from './access-policy.js';
import { AccessStorage } from './access-storage.js';
import { loadPolicy } from './load-policy.js';
import type { RoleDefinition } from './role.schema.js';

/** Access control as `createCrm({ access })` configured it: the roles defined in code, built-ins included. */
export interface AccessConfig {
  /** Roles by name: the built-ins, replaced or extended by the host's. */
  readonly roles: ReadonlyMap<string, RoleDefinition>;
}

/**
 * The access control of one acting member's tenant scope: the member's
 * policy, read at the scope's first call and kept for its life (make a scope
 * per request), and the storage that enforces it.
 */
export class ScopeAccess {
  #policy: Promise<AccessPolicy> | undefined;

  constructor(
    readonly config: AccessConfig,
    readonly tenantId: string,
    readonly actorId: string,
  ) {}

  /** The member's policy, read through `storage` the first time. */
  policy(storage: Storage): Promise<AccessPolicy> {
    if (this.#policy === undefined) {
      const loading = loadPolicy(storage, this.tenantId, this.actorId, this.config.roles);
      this.#policy = loading;
      // A failed read (no such member yet) is not remembered.
      loading.catch(() => {
        if (this.#policy === loading) this.#policy = undefined;
      });
    }
    return this.#policy;
  }

  /** Forgets the policy, so that the next call reads it again (after the member's roles or teams changed). */
  forget(): void {
    this.#policy = undefined;
  }

  /** `storage` with the member's grant enforced on every call. */
  wrap(storage: Storage): Storage {
    return new AccessStorage(storage, () => this.policy(storage));
  }
}
