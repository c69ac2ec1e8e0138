import type { Migration } from '@crmkit/core';
import { workflows0100 } from './0100-workflows.js';
import { workflowTriggers0101 } from './0101-workflow-triggers.js';
import { workflowJobFence0102 } from './0102-workflow-job-fence.js';
import { workflowInstanceStateIndex0103 } from './0103-workflow-instance-state-index.js';
import { workflowQueueWorkers0190 } from './0190-workflow-queue-workers.js';

/** The workflow tables, for `createCrm({ migrations: workflowMigrations })` or `engine.migrate()`. Each migration is frozen once released. */
export const workflowMigrations: readonly Migration[] = [workflows0100, workflowTriggers0101, workflowJobFence0102, workflowInstanceStateIndex0103];

/** The heartbeat table of the graphile queue's workers, applied by that queue's `migrate`. */
export const queueWorkerMigrations: readonly Migration[] = [workflowQueueWorkers0190];
