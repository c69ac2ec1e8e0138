import { ConflictError, type Storage } from '@crmkit/core';
import { deliveryModel, subscriptionModel } from './webhook.models.js';

/**
 * Turns a subscription off when its receiver is gone: called after a
 * delivery died (every attempt failed). When the subscription's last
 * `threshold` finished deliveries (delivered or dead, newest first by id)
 * are all dead, it is set inactive with `disabledAt` and `disabledReason`, so
 * the server stops spending attempts on it; deliveries not made yet are then
 * skipped. `PATCH {"active": true}` turns it on again and clears both.
 * Reading the deliveries rather than keeping a counter leaves nothing to
 * lose between two deliveries that die at once, and no version bump on
 * every failure to stale the ETags users hold.
 * @returns whether this call disabled it
 */
export async function disableIfUnreachable(storage: Storage, tenantId: string, subscriptionId: string, threshold: number, now: Date): Promise<boolean> {
  if (threshold <= 0) return false;
  const finished = await storage.findMany({
    model: deliveryModel, tenantId, where: { subscriptionId, status: { in: ['delivered', 'dead'] } },
    orderBy: [{ field: 'id', direction: 'desc' }], limit: threshold, select: ['id', 'status'],
  });
  if (finished.length < threshold || finished.some((d) => d.status !== 'dead')) return false;
  const subscription = await storage.findOne({ model: subscriptionModel, tenantId, id: subscriptionId });
  if (!subscription?.active) return false;
  const at = now.toISOString();
  try {
    await storage.update({
      model: subscriptionModel, tenantId, id: subscriptionId, expectedVersion: subscription.version,
      data: { active: false, disabledAt: at, disabledReason: `The last ${threshold} deliveries failed on every attempt`, updatedAt: at },
    });
    return true;
  } catch (error) {
    // Changed meanwhile (a user's PATCH, another delivery disabling it): theirs stands.
    if (error instanceof ConflictError) return false;
    throw error;
  }
}
