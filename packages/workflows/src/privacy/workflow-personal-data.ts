import type { ModelDefinition, PersonalDataContext, PersonalDataHandler, Storage, Where } from '@crmkit/core';
import { relinkSubjects } from '../merge/relink-subjects.js';
import { instanceModel, jobModel, stepModel, timerModel } from '../storage/models.js';

/** Rows per read: every table is read in keyset pages of this many rows. */
const pageSize = 500;

type RowOf<M> = M extends ModelDefinition<infer R> ? R : never;
type InstanceRow = RowOf<typeof instanceModel>;

async function* pages<R extends { id: string }>(storage: Storage, model: ModelDefinition<R>, tenantId: string, where: Where): AsyncGenerator<R[]> {
  for (let after: string | undefined; ; ) {
    const page = await storage.findMany({ model, tenantId, where, orderBy: [{ field: 'id' }], limit: pageSize, ...(after ? { after: { id: after } } : {}) });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The instances about the person: whose subject is the contact or one of its
 * records (a deal, a case), or whose snapshot mentions them (a context that
 * copied an email). Every instance of the tenant is looked at, in pages: a
 * context can hold the person without naming them as subject.
 */
async function instancesAbout(context: PersonalDataContext): Promise<InstanceRow[]> {
  const subjects = new Set(context.records.map((r) => `${r.type}\u0000${r.id}`));
  const found: InstanceRow[] = [];
  for await (const page of pages(context.storage, instanceModel, context.tenantId, {})) {
    for (const row of page) {
      const subject = row.subjectType !== null && row.subjectId !== null && subjects.has(`${row.subjectType}\u0000${row.subjectId}`);
      if (subject || context.mentions(row.snapshot)) found.push(row);
    }
  }
  return found;
}

/** Rows of `model` of these instances, a chunk of ids at a time. */
async function* rowsOf<R extends { id: string }>(context: PersonalDataContext, model: ModelDefinition<R>, instanceIds: readonly string[]): AsyncGenerator<R> {
  for (let i = 0; i < instanceIds.length; i += pageSize) {
    const where = { instanceId: { in: instanceIds.slice(i, i + pageSize) } };
    for await (const page of pages(context.storage, model, context.tenantId, where)) yield* page;
  }
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The workflow tables' part of `privacy.export` and `privacy.erase`: instance
 * snapshots (XState context included), their history (steps), pending timers
 * and side-effect jobs of every instance about the person. Register it with
 * the CRM, which never imports the workflow package itself.
 *
 * Erasing rewrites the JSON of those rows without the person and keeps the
 * rows, states and revisions' order; it does not stop the instances. A
 * rewritten instance or job moves to its next revision (the storage bumps the
 * version of every update), so a worker holding the old one recomputes from
 * the stored row, as after any concurrent write.
 *
 * A merge (`duplicates.merge`) moves the instances whose subject is a merged
 * contact or company to the survivor, in the merge's transaction.
 * @example
 * const crm = await createCrm({ adapter, migrations: workflowMigrations, personalData: [workflowPersonalData] });
 */
export const workflowPersonalData: PersonalDataHandler = {
  name: 'workflows',

  async export(context) {
    const instances = await instancesAbout(context);
    const ids = instances.map((r) => r.id);
    const steps = [];
    for await (const r of rowsOf(context, stepModel, ids)) steps.push({ instanceId: r.instanceId, revision: r.revision, eventType: r.eventType, event: r.event, fromState: r.fromState, toState: r.toState, at: r.at });
    const timers = [];
    for await (const r of rowsOf(context, timerModel, ids)) timers.push({ instanceId: r.instanceId, event: r.event, dueAt: r.dueAt });
    const jobs = [];
    for await (const r of rowsOf(context, jobModel, ids)) {
      jobs.push({ instanceId: r.instanceId, action: r.action, params: r.params, status: r.status, attempts: r.attempts, lastError: r.lastError, dueAt: r.dueAt, finishedAt: r.finishedAt });
    }
    return {
      instances: instances.map((r) => ({
        id: r.id, workflowId: r.workflowId, workflowVersion: r.workflowVersion,
        subject: r.subjectType !== null && r.subjectId !== null ? { type: r.subjectType, id: r.subjectId } : null,
        status: r.status, state: r.state, context: (r.snapshot as { context?: unknown } | null)?.context ?? null,
        createdAt: r.createdAt, lastEventAt: r.lastEventAt,
      })),
      steps,
      timers,
      jobs,
    };
  },

  async erase(context) {
    const { storage, tenantId } = context;
    const counts: Record<string, number> = {};
    const count = (table: string) => void (counts[table] = (counts[table] ?? 0) + 1);
    const instances = await instancesAbout(context);
    for (const row of instances) {
      const snapshot = context.redact(row.snapshot);
      if (same(snapshot, row.snapshot)) continue;
      await storage.update({ model: instanceModel, tenantId, id: row.id, data: { snapshot, updatedAt: context.now } });
      count(instanceModel.table);
    }
    const ids = instances.map((r) => r.id);
    // Collected first, written after: a page read must not see the rows this erasure rewrote.
    const rewrites: { model: ModelDefinition<{ id: string; updatedAt: string }>; id: string; data: Record<string, unknown> }[] = [];
    for await (const r of rowsOf(context, stepModel, ids)) {
      const event = context.redact(r.event);
      if (!same(event, r.event)) rewrites.push({ model: stepModel, id: r.id, data: { event } });
    }
    for await (const r of rowsOf(context, timerModel, ids)) {
      const event = context.redact(r.event);
      if (!same(event, r.event)) rewrites.push({ model: timerModel, id: r.id, data: { event } });
    }
    for await (const r of rowsOf(context, jobModel, ids)) {
      const params = context.redact(r.params);
      const lastError = context.redact(r.lastError);
      if (!same(params, r.params) || lastError !== r.lastError) rewrites.push({ model: jobModel, id: r.id, data: { params, lastError } });
    }
    for (const { model, id, data } of rewrites) {
      await storage.update({ model, tenantId, id, data: { ...data, updatedAt: context.now } });
      count(model.table);
    }
    return counts;
  },

  relink: relinkSubjects,
};
