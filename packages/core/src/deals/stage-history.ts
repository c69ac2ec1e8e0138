import type { WriteScope } from '../common/context.js';
import { newId } from '../common/ids.js';
import type { Stage } from '../pipelines/pipeline.schema.js';
import { stageChangeModel } from './deal.model.js';

/** One stage change of a deal: from, to, when, by whom. */
export interface StageChange {
  tenantId: string;
  id: string;
  dealId: string;
  pipelineId: string;
  /** Null for the stage a deal was created in. */
  fromStageId: string | null;
  toStageId: string;
  /** The deal's status after the change. */
  toStatus: 'open' | 'won' | 'lost';
  /** ISO UTC timestamp of the change. */
  at: string;
  /** The member who moved the deal, when the tenant scope names one. */
  actorId: string | null;
  /** How long the deal sat in the stage it left. */
  secondsInFromStage: number | null;
  createdAt: string;
  updatedAt: string;
}

/** Records a stage change in the running write. */
export async function recordStageChange(
  w: WriteScope,
  deal: { id: string; pipelineId: string; stageEnteredAt?: string },
  from: Stage | null,
  to: Stage,
  at: string,
): Promise<StageChange> {
  const seconds = deal.stageEnteredAt === undefined || from === null
    ? null
    : Math.max(0, Math.round((Date.parse(at) - Date.parse(deal.stageEnteredAt)) / 1000));
  const change: StageChange = {
    tenantId: w.ctx.tenantId,
    id: newId(),
    createdAt: w.now,
    updatedAt: w.now,
    dealId: deal.id,
    pipelineId: deal.pipelineId,
    fromStageId: from?.id ?? null,
    toStageId: to.id,
    toStatus: to.category,
    at,
    actorId: w.ctx.actorId,
    secondsInFromStage: seconds,
  };
  await w.tx.create({ model: stageChangeModel, tenantId: w.ctx.tenantId, data: change });
  return change;
}
