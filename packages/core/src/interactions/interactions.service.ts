import type { TenantContext } from '../common/context.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { checkText } from '../common/text-limits.js';
import { RecordService } from '../common/record-service.js';
import { assertAllExist, assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { dealModel } from '../deals/deal.model.js';
import { insertInteraction } from './insert-interaction.js';
import { interactionEntity } from './interaction.entity.js';
import { interactionContactModel, type interactionModel } from './interaction.model.js';
import {
  type Interaction,
  type InteractionInput,
  interactionInputSchema,
  type InteractionPatch,
  interactionPatchSchema,
} from './interaction.schema.js';

/** Calls, emails, meetings and notes. Reached as `crm.tenant(id).interactions`. */
export class InteractionsService extends RecordService<NonNullable<(typeof interactionModel)['rowType']>, Interaction> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, interactionEntity);
  }

  /**
   * Logs an interaction. When a deal is given and no company, the deal's
   * company is used. With an `idempotencyKey`, a repeated call returns the
   * interaction the first one logged.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown contact, member, company or deal
   * @example
   * await t.interactions.log({ type: 'call', direction: 'outbound', contactIds: [ada.id], dealId: deal.id, durationSeconds: 420 });
   */
  async log(input: InteractionInput, options?: CreateOptions): Promise<Interaction> {
    const data = parseInput(interactionInputSchema, input, 'interaction');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    checkText(this.ctx, data.body, ['body']);
    return createOnce(this.store, idempotencyKey, async (w) => {
      const tx = w.tx;
      const contactIds = [...new Set(data.contactIds ?? [])];
      const memberIds = [...new Set(data.memberIds ?? [])];
      await assertAllExist(tx, this.ctx, 'contact', contactIds);
      await assertAllExist(tx, this.ctx, 'member', [...memberIds, ...(data.ownerId ? [data.ownerId] : [])]);
      await assertExists(tx, this.ctx, 'company', data.companyId);
      const deal = data.dealId ? await tx.findOne({ model: dealModel, tenantId: this.ctx.tenantId, id: data.dealId }) : undefined;
      if (data.dealId && !deal) await assertExists(tx, this.ctx, 'deal', data.dealId);
      return insertInteraction(w, {
        type: data.type,
        direction: data.direction ?? (data.type === 'note' ? 'internal' : 'outbound'),
        channel: data.channel ?? null,
        subject: data.subject ?? null,
        body: data.body ?? null,
        occurredAt: data.occurredAt ?? w.now,
        durationSeconds: data.durationSeconds ?? null,
        outcome: data.outcome ?? null,
        contactIds,
        memberIds,
        companyId: data.companyId ?? deal?.companyId ?? null,
        dealId: data.dealId ?? null,
        caseId: null,
        campaignId: null,
        messageId: null,
        idempotencyKey: idempotencyKey ?? null,
        ...ownedDefaults(this.ctx, 'interaction', data),
      });
    });
  }

  /**
   * Corrects what was logged (subject, notes, outcome, time...). Participants
   * and linked records stay as logged. Changing `occurredAt` moves it in every
   * participant's timeline too.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError}
   */
  async update(id: string, patch: InteractionPatch, options?: WriteOptions): Promise<Interaction> {
    const interactionId = parseInput(idSchema, id, 'interaction id');
    const data = parseInput(interactionPatchSchema, patch, 'interaction patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    checkText(this.ctx, data.body, ['body']);
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { after, changes } = await this.store.patch(
        w,
        interactionId,
        (before) => defined({ ...data, custom: mergedCustom(this.ctx, 'interaction', before.custom, data.custom) }),
        expectedVersion,
      );
      if (changes.some((c) => c.field === 'occurredAt')) {
        await w.tx.updateMany({
          model: interactionContactModel, tenantId: this.ctx.tenantId, where: { interactionId }, data: { occurredAt: after.occurredAt, updatedAt: w.now },
        });
      }
      if (changes.length > 0) w.emit('interaction.updated', { record: after, changes });
      return after;
    });
  }

  /** Deletes an interaction and its participant links. @throws {NotFoundError} @throws {ConflictError} */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const interactionId = parseInput(idSchema, id, 'interaction id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, interactionId, expectedVersion);
      await w.tx.deleteMany({ model: interactionContactModel, tenantId: this.ctx.tenantId, where: { interactionId } });
      w.emit('interaction.deleted', { record });
    });
  }
}
