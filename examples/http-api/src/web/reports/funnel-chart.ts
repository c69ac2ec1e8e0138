import type { Funnel } from '@crmkit/core';
import { barChart, emptyChart, type Svg } from '../charts/index.js';
import { percent } from './money.js';

const labels = { name: 'funnel', title: 'Pipeline funnel' };

/**
 * The funnel of `reports.funnel`: per stage, in pipeline order, the deals that
 * entered it, moved on from it and were won, as grouped horizontal bars.
 */
export function funnelChart(funnel: Funnel | undefined, pipelineName?: string): Svg {
  if (!funnel) return emptyChart(labels, 'No data: the tenant has no pipeline');
  return barChart({
    ...labels,
    title: pipelineName ? `Pipeline funnel: ${pipelineName}` : labels.title,
    summary: `${funnel.deals} deals in the cohort; per stage, the deals that entered it, moved on and were won`,
    series: [{ label: 'Entered' }, { label: 'Moved on' }, { label: 'Won', colour: '#009e73' }],
    groups: funnel.stages.map((stage) => ({
      label: stage.name,
      values: [stage.entered, stage.movedOn, stage.won],
      notes: [undefined, stage.moveOnRate === null ? undefined : `${percent(stage.moveOnRate)} moved on`, stage.winRate === null ? undefined : `${percent(stage.winRate)} won`],
    })),
    valueTitle: 'deals',
  });
}
