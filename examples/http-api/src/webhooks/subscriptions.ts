import { type Clock, newId, NotFoundError, type Page, type StorageAdapter, ValidationError } from '@crmkit/core';
import type { z } from '@hono/zod-openapi';
import { ensureCursor } from './dispatcher.js';
import { policyRefusal, type WebhookNetwork } from './receiver-address.js';
import { newWebhookSecret } from './signature.js';
import {
  type RotateSecretInput, rotateSecretSchema, type SubscriptionInput, subscriptionInputSchema, type SubscriptionPatch, subscriptionPatchSchema,
} from './subscription.schema.js';
import { deliveryModel, subscriptionModel } from './webhook.models.js';

type SubscriptionRow = NonNullable<(typeof subscriptionModel)['rowType']>;

/** A subscription as the API shows it: everything but the secrets. */
export type WebhookSubscription = Omit<SubscriptionRow, 'secret' | 'previousSecret'>;

/** A delivery of an event to a subscription, as recorded. */
export type WebhookDelivery = NonNullable<(typeof deliveryModel)['rowType']>;

/** Paging of the lists: up to `limit` rows after the `cursor` a previous page gave. */
export interface PageOptions {
  limit: number;
  cursor?: string;
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, what);
  return result.data;
}

function withoutSecret({ secret: _secret, previousSecret: _previous, ...subscription }: SubscriptionRow): WebhookSubscription {
  return subscription;
}

/** A keyset page of rows ordered by id: the cursor is the last id, which only finds rows of the caller's tenant. */
function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return rows.length > limit ? { items, nextCursor: items[items.length - 1]!.id } : { items };
}

/**
 * The webhook subscriptions of every tenant, in the host's table
 * `host_webhook_subscription`, and their deliveries. Every method takes the
 * tenant id first and sees that tenant's rows only.
 */
export class Subscriptions {
  constructor(
    private readonly storage: StorageAdapter,
    private readonly clock: Clock,
    private readonly network: WebhookNetwork = 'public',
  ) {}

  /** @throws {ValidationError} on `url` for a receiver the network policy can never reach */
  #checkReceiver(url: string): void {
    const refusal = policyRefusal(this.network, url);
    if (refusal !== undefined) throw ValidationError.single(`Webhooks go to public receivers only: ${refusal}`, ['url']);
  }

  /**
   * Stores a subscription with a new secret. The secret is returned here and
   * nowhere else; keep it to verify deliveries.
   * @throws {ValidationError} for a bad URL (or one inside the network, see `WebhooksDeps.network`) or an unknown event type
   */
  async create(tenantId: string, input: SubscriptionInput): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const data = parse(subscriptionInputSchema, input, 'webhook subscription');
    this.#checkReceiver(data.url);
    // The cursor first: it then stands before every event the subscription can match.
    await ensureCursor({ storage: this.storage, clock: this.clock });
    const at = this.clock.now().toISOString();
    const secret = newWebhookSecret();
    const row = await this.storage.create({
      model: subscriptionModel, tenantId,
      data: { id: newId(), createdAt: at, updatedAt: at, url: data.url, eventTypes: [...new Set(data.eventTypes)], secret, previousSecret: null, previousSecretExpiresAt: null, disabledAt: null, disabledReason: null, description: data.description ?? null, active: data.active },
    });
    return { subscription: withoutSecret(row), secret };
  }

  /** The tenant's subscriptions, oldest first. */
  async list(tenantId: string, options: PageOptions): Promise<Page<WebhookSubscription>> {
    const rows = await this.storage.findMany({
      model: subscriptionModel, tenantId, orderBy: [{ field: 'id' }], limit: options.limit + 1, ...(options.cursor === undefined ? {} : { after: { id: options.cursor } }),
    });
    return pageOf(rows.map(withoutSecret), options.limit);
  }

  /** @throws {NotFoundError} */
  async get(tenantId: string, id: string): Promise<WebhookSubscription> {
    return withoutSecret(await this.#row(tenantId, id));
  }

  /**
   * Changes a subscription. Deliveries already started keep going to the URL
   * the subscription has when each attempt runs; deactivating it skips them.
   * @throws {NotFoundError} @throws {ConflictError} for a stale `expectedVersion` @throws {ValidationError}
   */
  async update(tenantId: string, id: string, patch: SubscriptionPatch, options: { expectedVersion?: number } = {}): Promise<WebhookSubscription> {
    const data = parse(subscriptionPatchSchema, patch, 'webhook subscription patch');
    if (data.url !== undefined) this.#checkReceiver(data.url);
    await this.#row(tenantId, id);
    const changes: Partial<SubscriptionRow> = { updatedAt: this.clock.now().toISOString() };
    if (data.url !== undefined) changes.url = data.url;
    if (data.eventTypes !== undefined) changes.eventTypes = [...new Set(data.eventTypes)];
    if (data.description !== undefined) changes.description = data.description;
    if (data.active !== undefined) changes.active = data.active;
    // Turned on again by a person: the server's reason for turning it off is history.
    if (data.active === true) Object.assign(changes, { disabledAt: null, disabledReason: null });
    const row = await this.storage.update({ model: subscriptionModel, tenantId, id, data: changes, ...options });
    return withoutSecret(row);
  }

  /**
   * Gives a subscription a new secret, returned here and nowhere else. For
   * `overlapSeconds` (default a day, at most a week) the old one still signs too: each delivery then carries
   * two `v1,` signatures (Standard Webhooks), so a receiver that has not
   * switched yet accepts it, and one that has accepts it as well. A rotation
   * during an overlap ends the earlier one: only the secret being replaced
   * keeps signing.
   * @throws {NotFoundError} @throws {ConflictError} for a stale `expectedVersion` @throws {ValidationError} for a bad overlap
   */
  async rotateSecret(
    tenantId: string, id: string, input: RotateSecretInput = {}, options: { expectedVersion?: number } = {},
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const { overlapSeconds: overlap } = parse(rotateSecretSchema, input, 'webhook secret rotation');
    const current = await this.#row(tenantId, id);
    const now = this.clock.now();
    const secret = newWebhookSecret();
    const previous = overlap === 0
      ? { previousSecret: null, previousSecretExpiresAt: null }
      : { previousSecret: current.secret, previousSecretExpiresAt: new Date(now.getTime() + overlap * 1000).toISOString() };
    // Version-checked against the row read (or the caller's): two rotations at once cannot both keep "their" old secret.
    const row = await this.storage.update({
      model: subscriptionModel, tenantId, id, data: { secret, ...previous, updatedAt: now.toISOString() }, expectedVersion: options.expectedVersion ?? current.version,
    });
    return { subscription: withoutSecret(row), secret };
  }

  /**
   * Deletes a subscription. Its delivery records stay; deliveries not yet
   * made are skipped when their turn comes.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async remove(tenantId: string, id: string, options: { expectedVersion?: number } = {}): Promise<void> {
    await this.#row(tenantId, id);
    await this.storage.delete({ model: subscriptionModel, tenantId, id, ...options });
  }

  /** A subscription's deliveries, newest first. @throws {NotFoundError} for an unknown subscription */
  async deliveries(tenantId: string, subscriptionId: string, options: PageOptions): Promise<Page<WebhookDelivery>> {
    await this.#row(tenantId, subscriptionId);
    const rows = await this.storage.findMany({
      model: deliveryModel, tenantId, where: { subscriptionId }, orderBy: [{ field: 'id', direction: 'desc' }], limit: options.limit + 1,
      ...(options.cursor === undefined ? {} : { after: { id: options.cursor } }),
    });
    return pageOf(rows, options.limit);
  }

  /** One delivery. @throws {NotFoundError} */
  async delivery(tenantId: string, id: string): Promise<WebhookDelivery> {
    const row = await this.storage.findOne({ model: deliveryModel, tenantId, id });
    if (!row) throw new NotFoundError('webhookDelivery', id);
    return row;
  }

  async #row(tenantId: string, id: string): Promise<SubscriptionRow> {
    const row = await this.storage.findOne({ model: subscriptionModel, tenantId, id });
    if (!row) throw new NotFoundError('webhookSubscription', id);
    return row;
  }
}
