import { join } from 'node:path';
import type { Crm } from '@crmkit/core';
import { readCdnow } from './cdnow-data.js';
import { type CdnowFigures, cdnowFigures } from './cdnow-figures.js';
import { type CdnowImport, importCdnow } from './import-cdnow.js';
import { importOlist, type OlistImport } from './import-olist.js';
import { importTelco, type TelcoImport } from './import-telco.js';
import { readOlist } from './olist-data.js';
import { type OlistFigures, olistFigures } from './olist-figures.js';
import { readTelco } from './telco-data.js';
import { type TelcoFigures, telcoFigures } from './telco-figures.js';

/** The three datasets, each imported into its own tenant of that name. */
export const datasets = ['cdnow', 'telco', 'olist'] as const;
/** One of {@link datasets}. */
export type DatasetName = (typeof datasets)[number];

/** Options of {@link runAnalytics}. */
export interface AnalyticsOptions {
  /** Directory holding `cdnow/`, `telco-churn/` and `olist/`. */
  dataDir: string;
  /** @default every dataset */
  only?: readonly DatasetName[];
  /** Only CDNOW customers with an id up to this. @default all 23,570 */
  cdnowCustomers?: number;
  /** Only the first Telco customers. @default all 7,043 */
  telcoCustomers?: number;
  /** Called with a dataset and how far its longest import is. */
  onProgress?: (dataset: DatasetName, done: number, total: number) => void;
}

/** One dataset's import, figures and time. */
export interface Section<I, F> {
  imported: I;
  figures: F;
  importMs: number;
  figuresMs: number;
}

/** Everything {@link runAnalytics} did, per dataset it ran. */
export interface AnalyticsReport {
  cdnow?: Section<CdnowImport, CdnowFigures>;
  telco?: Section<TelcoImport, TelcoFigures>;
  olist?: Section<OlistImport, OlistFigures>;
}

async function section<I, F>(load: () => Promise<I>, figures: () => Promise<F>): Promise<Section<I, F>> {
  const started = performance.now();
  const imported = await load();
  const between = performance.now();
  const result = await figures();
  return { imported, figures: result, importMs: between - started, figuresMs: performance.now() - between };
}

/**
 * Imports each dataset into its tenant (`cdnow`, `telco`, `olist`) through
 * the public API, idempotently, then asks the crm for its figures.
 * @throws {Error} for a missing data file, a malformed row, or a record the crm refuses
 * @example
 * const report = await runAnalytics(crm, { dataDir: 'examples/data', only: ['olist'] });
 */
export async function runAnalytics(crm: Crm, options: AnalyticsOptions): Promise<AnalyticsReport> {
  const only = new Set(options.only ?? datasets);
  const progress = (name: DatasetName) => (done: number, total: number) => options.onProgress?.(name, done, total);
  const report: AnalyticsReport = {};
  if (only.has('cdnow')) {
    const t = crm.tenant('cdnow');
    const purchases = await readCdnow(join(options.dataDir, 'cdnow'), options.cdnowCustomers === undefined ? {} : { customers: options.cdnowCustomers });
    report.cdnow = await section(() => importCdnow(t, purchases, progress('cdnow')), () => cdnowFigures(t));
  }
  if (only.has('telco')) {
    const t = crm.tenant('telco');
    const customers = await readTelco(join(options.dataDir, 'telco-churn'), options.telcoCustomers === undefined ? {} : { limit: options.telcoCustomers });
    report.telco = await section(() => importTelco(t, customers, progress('telco')), () => telcoFigures(t));
  }
  if (only.has('olist')) {
    const t = crm.tenant('olist');
    const data = await readOlist(join(options.dataDir, 'olist'));
    report.olist = await section(() => importOlist(t, data), () => olistFigures(t));
  }
  return report;
}
