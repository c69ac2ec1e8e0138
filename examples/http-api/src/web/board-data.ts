import type { Company, Deal, Member, Page, Pipeline, PipelineStageSummary, Stage, TenantScope } from '@crmkit/core';

/** How many cards a column shows before its 'more' link: the demo has 8,800 deals, a board must never load them all. */
export const cardsPerColumn = 25;

/** What a card shows beside the deal: its company's and owner's names. */
export interface CardNames {
  companies: Map<string, Company>;
  owners: Map<string, Member>;
}

/** One column of the board: the stage, its totals over every deal the member can see, and the first page of cards. */
export interface BoardColumn {
  stage: Stage;
  summary: PipelineStageSummary | undefined;
  deals: Page<Deal>;
}

/** The board of one pipeline. */
export interface Board {
  pipelines: Pipeline[];
  pipeline: Pipeline;
  columns: BoardColumn[];
  names: CardNames;
  /** The pipeline's most frequent loss reasons, offered when a card is dropped on a lost stage. */
  lossReasons: string[];
}

/**
 * One page of a stage's deals, the most recently entered first, so a card
 * just moved into a stage is at its top. Keyset-paged on crmkit's cursor;
 * the `pipeline_stage` index finds the stage's rows.
 */
export function stageDeals(t: TenantScope, pipelineId: string, stageId: string, cursor?: string): Promise<Page<Deal>> {
  return t.deals.list({
    where: { pipelineId, stageId },
    orderBy: [{ stageEnteredAt: 'desc' }],
    limit: cardsPerColumn,
    ...(cursor === undefined ? {} : { cursor }),
  });
}

/** The company and owner names of some deals, two queries whatever their number (a record the member may not read is left out). */
export async function cardNames(t: TenantScope, deals: readonly Deal[]): Promise<CardNames> {
  const companyIds = [...new Set(deals.flatMap((d) => (d.companyId === null ? [] : [d.companyId])))];
  const ownerIds = [...new Set(deals.flatMap((d) => (d.ownerId === null ? [] : [d.ownerId])))];
  const [companies, owners] = await Promise.all([
    companyIds.length === 0 ? { items: [] } : t.companies.list({ where: { id: { in: companyIds } }, limit: companyIds.length }),
    ownerIds.length === 0 ? { items: [] } : t.members.list({ where: { id: { in: ownerIds } }, limit: ownerIds.length }),
  ]);
  return {
    companies: new Map(companies.items.map((c) => [c.id, c])),
    owners: new Map(owners.items.map((m) => [m.id, m])),
  };
}

/** The pipelines the board can show: a tenant has a handful, so one page of 100 is all of them. */
export async function boardPipelines(t: TenantScope): Promise<Pipeline[]> {
  return (await t.pipelines.list({ limit: 100 })).items;
}

/** Loads the board of a pipeline (the first when `pipelineId` is absent or unknown); undefined when the tenant has no pipeline. */
export async function loadBoard(t: TenantScope, pipelineId: string | undefined): Promise<Board | undefined> {
  const pipelines = await boardPipelines(t);
  const pipeline = pipelines.find((p) => p.id === pipelineId) ?? pipelines[0];
  if (pipeline === undefined) return undefined;
  const [summary, pages, [winLoss]] = await Promise.all([
    t.reports.pipelineSummary(pipeline.id),
    Promise.all(pipeline.stages.map((stage) => stageDeals(t, pipeline.id, stage.id))),
    // One grouped aggregate: the reasons people gave before, so the same reason is written the same way.
    t.reports.winLoss({ by: 'pipeline', pipelineId: pipeline.id, topLossReasons: 10 }),
  ]);
  const columns = pipeline.stages.map((stage, i) => ({
    stage, summary: summary.stages.find((s) => s.stageId === stage.id), deals: pages[i]!,
  }));
  const lossReasons = (winLoss?.lossReasons ?? []).flatMap((r) => (r.reason === null ? [] : [r.reason]));
  return { pipelines, pipeline, columns, names: await cardNames(t, pages.flatMap((p) => p.items)), lossReasons };
}
