import type { Migration } from '@crmkit/core';
import { workflows0100 } from './0100-workflows.js';
import { workflowTriggers0101 } from './0101-workflow-triggers.js';
import { workflowQueueWorkers0190 } from './0190-workflow-queue-workers.js';

/** The workflow tables, for `createCrm({ migrations: workflowMigrations })` or `engine.migrate()`. Frozen once released. */
export const workflowMigrations: readonly Migration[] = [workflows0100, workflowTriggers0101];

/** The heartbeat table of the graphile queue's workers, applied by that queue's `migrate`. */
export const queueWorkerMigrations: readonly Migration[] = [workflowQueueWorkers0190];
