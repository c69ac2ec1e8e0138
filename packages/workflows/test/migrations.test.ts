import { verifyMigrations } from '@crmkit/core';
import {
  instanceModel, jobModel, queueWorkerMigrations, queueWorkerModel, stepModel, timerModel, triggerCursorModel, triggerFireModel, workflowMigrations,
} from '@crmkit/workflows';
import { describe, expect, test } from 'vitest';

describe('workflow migrations', () => {
  test('build exactly the tables of the workflow models', () => {
    expect(verifyMigrations([instanceModel, timerModel, jobModel, stepModel, triggerCursorModel, triggerFireModel], workflowMigrations)).toEqual([]);
  });

  test('build exactly the heartbeat table of the graphile queue', () => {
    expect(verifyMigrations([queueWorkerModel], queueWorkerMigrations)).toEqual([]);
  });
});
