import type { Pipeline, TenantScope } from '@crmkit/core';

/** The dataset's deal stages, in pipeline order. */
export const csvStages = ['Prospecting', 'Engaging', 'Won', 'Lost'] as const;
/** One of {@link csvStages}. */
export type CsvStage = (typeof csvStages)[number];

/** Stage keys the pipeline gives each CSV stage (the name in lower case). */
export const stageKeys: Record<CsvStage, string> = { Prospecting: 'prospecting', Engaging: 'engaging', Won: 'won', Lost: 'lost' };

/** Creates the `Sales` pipeline mirroring the dataset's stages, in USD. */
export function createSalesPipeline(t: TenantScope): Promise<Pipeline> {
  return t.pipelines.create({
    name: 'Sales',
    currency: 'USD',
    stages: [
      { name: 'Prospecting', key: stageKeys.Prospecting },
      { name: 'Engaging', key: stageKeys.Engaging },
      { name: 'Won', key: stageKeys.Won, category: 'won' },
      { name: 'Lost', key: stageKeys.Lost, category: 'lost' },
    ],
  });
}
