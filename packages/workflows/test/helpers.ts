import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm, type CustomFieldSchemas, ManualClock } from '@crmkit/core';
import { createWorkflowEngine, type WorkflowEngineOptions, workflowMigrations } from '@crmkit/workflows';

/** A CRM on in-memory SQLite with the workflow tables, a manual clock and an engine. */
export async function testEngine(options: Omit<WorkflowEngineOptions, 'crm'> & { customFields?: CustomFieldSchemas }) {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const { customFields, ...engineOptions } = options;
  const crm = await createCrm({ adapter: sqliteAdapter({ filename: ':memory:' }), clock, migrations: workflowMigrations, ...(customFields ? { customFields } : {}) });
  await crm.migrate();
  const engine = createWorkflowEngine({ crm, clock, ...engineOptions });
  return { crm, clock, engine };
}

export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;
