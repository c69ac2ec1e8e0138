import { defineModel, typedField } from '../storage/schema.js';

/** Where a run stands: `running` until its last batch commits, then `completed`. */
export type ImportRunStatus = 'running' | 'completed';

/**
 * One row per import run (`importId`): what it imports, a hash of the options and
 * header it started with, and how far it got. Updated in the transaction of each
 * batch, so that after a crash the run continues exactly after the last batch that
 * committed, with counts that include it.
 */
export const importRunModel = defineModel({
  name: 'importRun',
  table: 'crm_import_run',
  versioned: false,
  fields: {
    entity: { type: 'string' },
    optionsHash: { type: 'string' },
    status: typedField<ImportRunStatus>('string'),
    lastRow: { type: 'integer' },
    lastLine: { type: 'integer' },
    rowsRead: { type: 'integer' },
    created: { type: 'integer' },
    updated: { type: 'integer' },
    rejected: { type: 'integer' },
    finishedAt: { type: 'timestamp', nullable: true },
  },
});
