import { defineModel } from '@crmkit/core';

/** One running (or finished) workflow: its persisted XState snapshot and where it stands. */
export const instanceModel = defineModel({
  name: 'workflowInstance',
  table: 'crmkit_wf_instance',
  // `version` is the instance's revision: every transition is written with
  // expectedVersion, so two workers can never both apply one.
  fields: {
    workflowId: { type: 'string' },
    workflowVersion: { type: 'integer' },
    subjectType: { type: 'string', nullable: true },
    subjectId: { type: 'string', nullable: true },
    status: { type: 'string' },
    state: { type: 'string' },
    snapshot: { type: 'json' },
    lastEventAt: { type: 'timestamp' },
  },
  indexes: [
    { name: 'subject', fields: ['subjectType', 'subjectId', 'workflowId'] },
    { name: 'workflow_status', fields: ['workflowId', 'status'] },
    // engine.list by workflow and state, in id (creation) order: the keyset walks the index.
    { name: 'workflow_state', fields: ['workflowId', 'state', 'id'] },
  ],
});

/** A pending delayed event (`after`, delayed `raise` / `sendTo`), due at `dueAt`. */
export const timerModel = defineModel({
  name: 'workflowTimer',
  table: 'crmkit_wf_timer',
  versioned: false,
  fields: {
    instanceId: { type: 'string' },
    sendId: { type: 'string' },
    event: { type: 'json' },
    dueAt: { type: 'timestamp' },
    leasedUntil: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'instance_send', fields: ['instanceId', 'sendId'], unique: true },
    { name: 'due', fields: ['dueAt'], acrossTenants: true },
  ],
});

/**
 * A side effect to run after commit (the workflow outbox), with retries and a
 * dead-letter state. `status` is `pending`, `done`, `dead` or `cancelled` (its
 * instance was stopped). `version` is the delivery fence: a claim, the begin
 * of an attempt, its outcome and `retryJob` each move it, and each write of a
 * delivery is guarded by the version that delivery holds.
 */
export const jobModel = defineModel({
  name: 'workflowJob',
  table: 'crmkit_wf_job',
  fields: {
    instanceId: { type: 'string' },
    action: { type: 'string' },
    params: { type: 'json' },
    idempotencyKey: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    dueAt: { type: 'timestamp' },
    leasedUntil: { type: 'timestamp', nullable: true },
    lastError: { type: 'text', nullable: true },
    finishedAt: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true },
    { name: 'status_due', fields: ['status', 'dueAt'], acrossTenants: true },
    { name: 'instance', fields: ['instanceId'] },
  ],
});

/** The history of an instance: one row per applied event. */
export const stepModel = defineModel({
  name: 'workflowStep',
  table: 'crmkit_wf_step',
  versioned: false,
  fields: {
    instanceId: { type: 'string' },
    revision: { type: 'integer' },
    eventType: { type: 'string' },
    event: { type: 'json' },
    fromState: { type: 'string', nullable: true },
    toState: { type: 'string' },
    at: { type: 'timestamp' },
  },
  indexes: [{ name: 'instance_revision', fields: ['instanceId', 'revision'], unique: true }],
});

/**
 * Where a trigger set stands, one row per source. Across tenants (tenant id
 * `*`): the event feed and tenant discovery, whose `position` is a position
 * in the event log (`storage.readLog`). Per tenant: a date-relative scan
 * (`position` = the instant scanned up to) or a cron schedule (`position` =
 * the next slot). Release 0.1.0 also kept a per-tenant event cursor (key
 * `events`, `position` = last event id read), which a runner converts into the
 * feed cursor. Runners lease due rows with `claimDue`, so several processes
 * share the work and never read one cursor at the same time.
 */
export const triggerCursorModel = defineModel({
  name: 'workflowTriggerCursor',
  table: 'crmkit_wf_trigger_cursor',
  versioned: false,
  fields: {
    triggerSet: { type: 'string' },
    cursorKey: { type: 'string' },
    position: { type: 'string', nullable: true },
    // What the position was computed from (a cron expression): a changed schedule restarts from now.
    config: { type: 'string', nullable: true },
    dueAt: { type: 'timestamp' },
    leasedUntil: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'set_key', fields: ['triggerSet', 'cursorKey'], unique: true },
    { name: 'due', fields: ['dueAt'], acrossTenants: true },
  ],
});

/**
 * One firing of a trigger: the unique (trigger, source) key is written in the
 * same transaction as the instance it started or the events it sent, so a
 * source (event id, record and date, cron slot) fires a trigger at most once.
 */
export const triggerFireModel = defineModel({
  name: 'workflowTriggerFire',
  table: 'crmkit_wf_trigger_fire',
  versioned: false,
  fields: {
    triggerId: { type: 'string' },
    sourceKey: { type: 'string' },
    status: { type: 'string' },
    instanceIds: { type: 'json' },
    error: { type: 'text', nullable: true },
    firedAt: { type: 'timestamp' },
  },
  indexes: [
    { name: 'trigger_source', fields: ['triggerId', 'sourceKey'], unique: true },
    { name: 'status', fields: ['status', 'firedAt'] },
  ],
});
