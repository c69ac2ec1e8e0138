import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { ForecastCategory, StageCategory, stageInputSchema } from './pipeline.schema.js';

type ParsedStage = z.output<typeof stageInputSchema>;

/** The stage fields after defaults: key from name, probability and forecast category from category. */
export interface ResolvedStage {
  key: string;
  name: string;
  position: number;
  probability: number;
  category: StageCategory;
  forecastCategory: ForecastCategory;
  staleAfterDays: number | null;
}

/** `Proposal Sent` -> `proposal_sent`. */
export function stageKeyFromName(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return key === '' ? 'stage' : key;
}

/** The forecast category a stage of each category takes unless told otherwise. */
export const defaultForecast: Record<StageCategory, ForecastCategory> = { open: 'pipeline', won: 'closed', lost: 'omitted' };

/**
 * Fills in stage defaults. Open stages without a probability are spaced evenly
 * between 0 and 100 by their order, which is what most teams set by hand.
 * @throws {ValidationError} for two stages with the same key.
 */
export function resolveStages(stages: ParsedStage[], firstPosition = 0): ResolvedStage[] {
  const openCount = stages.filter((s) => s.category === 'open').length;
  let openIndex = 0;
  const keys = new Set<string>();
  return stages.map((stage, i) => {
    const key = stage.key ?? stageKeyFromName(stage.name);
    if (keys.has(key)) throw ValidationError.single(`Two stages have the key ${JSON.stringify(key)}`, ['stages', i, 'key']);
    keys.add(key);
    const spaced = stage.category === 'open' ? Math.round((100 * ++openIndex) / (openCount + 1)) : 0;
    return {
      key,
      name: stage.name,
      position: firstPosition + i,
      probability: stage.probability ?? (stage.category === 'won' ? 100 : spaced),
      category: stage.category,
      forecastCategory: stage.forecastCategory ?? defaultForecast[stage.category],
      staleAfterDays: stage.staleAfterDays ?? null,
    };
  });
}
