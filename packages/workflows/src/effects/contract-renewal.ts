import type { RenewOptions } from '@crmkit/core';
import type { EffectContext, EffectResult } from './effect.js';
import { subjectId } from './subject-id.js';

/** Params of the built-in `lapseContract` effect. */
export interface LapseContractParams extends Record<string, unknown> {
  /** @default the instance's subject, when it is a contract */
  contractId?: string;
  /** The `endDate` the lapse was armed for: a contract whose end moved since is left alone (a stale timer). */
  endDate?: string | null;
}

/** Params of the built-in `renewContract` effect: `contracts.renew` options. */
export type RenewContractParams = { contractId?: string } & RenewOptions & Record<string, unknown>;

/** The reply of `renewContract`, and what a trigger on `contract.renewed` sends. */
export interface ContractRenewedEvent {
  type: 'renewed';
  /** The contract that follows the old one. */
  nextContractId: string;
}

/**
 * Built-in `lapseContract`: `contracts.lapse` (the contract becomes
 * `expired`). A contract no longer active (renewed, cancelled, expired
 * already, by a person or an earlier attempt), or whose `endDate` is no
 * longer `endDate` (extended: its new end has a lapse of its own), is left
 * as it is.
 */
export async function lapseContract(ctx: EffectContext<LapseContractParams>): Promise<void> {
  const { contractId, endDate } = ctx.params;
  const contract = await ctx.tenant.contracts.get(subjectId(ctx as EffectContext, 'contract', contractId));
  if (contract.status !== 'active' || (endDate != null && contract.endDate !== endDate)) return;
  await ctx.tenant.contracts.lapse(contract.id);
}

/**
 * Built-in `renewContract`: `contracts.renew`, which creates the next
 * contract linked to the old one; replied to the instance as `renewed`. Once:
 * a contract renewed already (by an earlier attempt, or by hand) replies
 * with the contract that renewed it.
 */
export async function renewContract(ctx: EffectContext<RenewContractParams>): Promise<EffectResult> {
  const { contractId, ...options } = ctx.params;
  const contract = await ctx.tenant.contracts.get(subjectId(ctx as EffectContext, 'contract', contractId));
  const nextContractId = contract.renewedById ?? (await ctx.tenant.contracts.renew(contract.id, options)).next.id;
  const reply: ContractRenewedEvent = { type: 'renewed', nextContractId };
  return { reply };
}
