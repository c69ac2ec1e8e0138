import type { Deal, Pipeline, Stage, TenantScope } from '@crmkit/core';
import { requiredFieldsFor } from './stage-gates.js';

/** Options of {@link moveDeal} and {@link closeDeal}. */
export interface MoveDealOptions {
  /** The version the caller saw (an `If-Match`, a board card's `data-version`); a stale one is crmkit's `ConflictError`. @default any version */
  expectedVersion?: number;
  /** Why the deal was lost; crmkit refuses a reason for any other stage. @default none */
  reason?: string;
}

function moveOptions(stage: Stage | undefined, options: MoveDealOptions) {
  return {
    requiredFields: stage === undefined ? [] : requiredFieldsFor(stage),
    ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  };
}

async function pipelineOf(t: TenantScope, dealId: string): Promise<Pipeline> {
  // A deal never changes pipeline (the patch schema has no pipelineId), so reading it before the move's lock is safe.
  const deal = await t.deals.get(dealId);
  return t.pipelines.get(deal.pipelineId);
}

/**
 * Moves a deal to a stage of its pipeline (key or id) through the host's
 * stage gates (`stageGates` in stage-gates.ts): the one path the API and the web board both take, so a
 * gate holds whichever way a deal is moved.
 * @throws {ValidationError} when the deal lacks a field the stage requires (issues with code `missing_for_stage`)
 * @throws {ConflictError} for a stale `expectedVersion` @throws {NotFoundError} for an unknown deal or stage
 * @throws {ForbiddenError} when the member may not change the deal
 * @example
 * await moveDeal(c.var.t, deal.id, 'won', { expectedVersion: deal.version });
 */
export async function moveDeal(t: TenantScope, dealId: string, stage: string, options: MoveDealOptions = {}): Promise<Deal> {
  const pipeline = await pipelineOf(t, dealId);
  // An unknown stage gets no gate here: crmkit answers it with its NotFoundError.
  const target = pipeline.stages.find((s) => s.key === stage || s.id === stage);
  return t.deals.moveToStage(dealId, stage, moveOptions(target, options));
}

/**
 * Closes a deal as won or lost (crmkit's `markWon` / `markLost`: the
 * pipeline's stage of that category) through the same gates as {@link moveDeal}.
 * A `reason` is kept only for `lost`; crmkit's `markWon` takes none.
 * @throws {ValidationError} @throws {ConflictError} @throws {NotFoundError} @throws {ForbiddenError}
 * @throws {StateError} when the pipeline has no stage of that category
 */
export async function closeDeal(t: TenantScope, dealId: string, outcome: 'won' | 'lost', options: MoveDealOptions = {}): Promise<Deal> {
  const pipeline = await pipelineOf(t, dealId);
  const target = pipeline.stages.find((s) => s.category === outcome);
  const opts = moveOptions(target, options);
  if (outcome === 'lost') return t.deals.markLost(dealId, opts);
  const { reason: _reason, ...wonOptions } = opts;
  return t.deals.markWon(dealId, wonOptions);
}
