import { type Clock, ConflictError, coreModels, DuplicateError, newId, type Storage, type StorageAdapter } from '@crmkit/core';
import type { WorkflowEngine } from '@crmkit/workflows';
import { matchesEventTypes } from './event-types.js';
import { acrossTenants, cursorId, deliveryModel, dispatchCursorModel, subscriptionModel } from './webhook.models.js';
import { type WebhookDeliveryInput, webhookDelivery } from './webhook-delivery.machine.js';

type Subscription = NonNullable<(typeof subscriptionModel)['rowType']>;

/** What the dispatcher needs. */
export interface DispatcherDeps {
  storage: StorageAdapter;
  clock: Clock;
  engine: () => WorkflowEngine;
  /** Events read per page, each page one transaction. */
  batchSize: number;
}

/**
 * Creates the dispatcher's cursor at the end of the event log, unless it
 * exists. Called before the first subscription is stored, so every event a
 * subscription can match comes after the cursor.
 */
export async function ensureCursor(deps: Pick<DispatcherDeps, 'storage' | 'clock'>): Promise<{ position: string | null; version: number }> {
  const { storage } = deps;
  const existing = await storage.findOne({ model: dispatchCursorModel, tenantId: acrossTenants, id: cursorId });
  if (existing) return existing;
  // Read outside any transaction: a log position is taken from committed rows only.
  const position = await storage.logPosition({ model: coreModels.event });
  const at = deps.clock.now().toISOString();
  try {
    return await storage.create({ model: dispatchCursorModel, tenantId: acrossTenants, data: { id: cursorId, createdAt: at, updatedAt: at, position } });
  } catch (error) {
    // Another process created it first: use theirs.
    if (!(error instanceof DuplicateError)) throw error;
    return (await storage.findOne({ model: dispatchCursorModel, tenantId: acrossTenants, id: cursorId }))!;
  }
}

/**
 * Reads crmkit's event log on from the cursor, in commit order across
 * tenants, and starts one `webhook-delivery` instance per event and matching
 * active subscription of the event's tenant (created no later than the event
 * occurred). Each page is one transaction: the delivery rows, the instances
 * (`engine.startIn`, so their effect jobs too) and the cursor's advance, the
 * last guarded by the cursor's version. A dispatcher in another process that
 * read the same page fails that guard and rolls back everything it started,
 * and the unique (subscription, event) row makes a page read again (a
 * rewound cursor) start nothing twice. Returns how many deliveries it started.
 */
export async function dispatchEvents(deps: DispatcherDeps): Promise<number> {
  const { storage, batchSize } = deps;
  let cursor = await ensureCursor(deps);
  let started = 0;
  for (;;) {
    const page = await storage.readLog({
      model: coreModels.event, limit: batchSize, select: ['type', 'occurredAt'], ...(cursor.position === null ? {} : { after: cursor.position }),
    });
    if (page.rows.length === 0 && page.position === cursor.position) return started;
    const expectedVersion = cursor.version;
    let startedNow: number;
    try {
      startedNow = await storage.transaction(async (tx) => {
        let count = 0;
        const subscriptions = new Map<string, Subscription[]>();
        for (const row of page.rows) {
          const event = { id: row.id as string, tenantId: row.tenantId as string, type: row.type as string, occurredAt: row.occurredAt as string };
          let ofTenant = subscriptions.get(event.tenantId);
          if (!ofTenant) {
            ofTenant = await tx.findMany({ model: subscriptionModel, tenantId: event.tenantId, where: { active: true } });
            subscriptions.set(event.tenantId, ofTenant);
          }
          for (const subscription of ofTenant) {
            if (subscription.createdAt > event.occurredAt || !matchesEventTypes(subscription.eventTypes, event.type)) continue;
            if (await startDelivery(tx, deps.engine(), deps.clock, subscription, event)) count++;
          }
        }
        await tx.update({
          model: dispatchCursorModel, tenantId: acrossTenants, id: cursorId, expectedVersion,
          data: { position: page.position, updatedAt: deps.clock.now().toISOString() },
        });
        return count;
      });
    } catch (error) {
      // Another dispatcher advanced the cursor over this page: what it started stands, ours was rolled back.
      if (error instanceof ConflictError) return started;
      throw error;
    }
    started += startedNow;
    cursor = { position: page.position, version: expectedVersion + 1 };
    if (page.rows.length < batchSize) return started;
  }
}

/** Starts the delivery of one event to one subscription unless it was started before; whether it started one. */
async function startDelivery(
  tx: Storage, engine: WorkflowEngine, clock: Clock, subscription: Subscription, event: { id: string; tenantId: string; type: string },
): Promise<boolean> {
  const { tenantId } = event;
  // Looked up rather than caught as a DuplicateError: on PostgreSQL a failed insert aborts the whole transaction.
  const seen = await tx.findMany({ model: deliveryModel, tenantId, where: { subscriptionId: subscription.id, eventId: event.id }, limit: 1, select: ['id'] });
  if (seen.length > 0) return false;
  const id = newId();
  const input: WebhookDeliveryInput = { deliveryId: id, subscriptionId: subscription.id, eventId: event.id, eventType: event.type };
  const instance = await engine.startIn(tx, tenantId, webhookDelivery.id, { input });
  const at = clock.now().toISOString();
  await tx.create({
    model: deliveryModel, tenantId,
    data: { id, createdAt: at, updatedAt: at, subscriptionId: subscription.id, eventId: event.id, eventType: event.type, instanceId: instance.id, status: 'pending', attempts: 0 },
  });
  return true;
}
