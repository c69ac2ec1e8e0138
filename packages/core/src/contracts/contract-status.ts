import { StateError } from '../errors.js';
import type { ContractStatus } from './contract.schema.js';

/**
 * The moves a contract may make: a draft is activated or dropped, an active
 * contract runs out, is cancelled or renewed, and a lapsed one can still be
 * renewed late. `renewed` is reached through `renew` only.
 */
export const contractTransitions: Readonly<Record<ContractStatus, readonly ContractStatus[]>> = {
  draft: ['active', 'cancelled'],
  active: ['expired', 'cancelled', 'renewed'],
  expired: ['renewed'],
  cancelled: [],
  renewed: [],
};

/** @throws {StateError} unless a contract may move from `from` to `to` */
export function assertContractTransition(from: ContractStatus, to: ContractStatus): void {
  if (!contractTransitions[from].includes(to)) throw new StateError(`A contract cannot go from ${from} to ${to}`);
}

/** The statuses under which a contract covers the days of its own period (a renewed one until it ends). */
export const inForce: readonly ContractStatus[] = ['active', 'renewed'];
