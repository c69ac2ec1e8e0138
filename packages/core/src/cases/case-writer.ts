import type { z } from 'zod';
import type { TenantContext, WriteScope } from '../common/context.js';
import type { EntityStore } from '../common/entity-store.js';
import { assertExists, ownedDefaults } from '../common/references.js';
import { contactModel } from '../contacts/contact.model.js';
import type { Interaction } from '../interactions/interaction.schema.js';
import { matchPolicy } from '../sla/sla-policies.service.js';
import type { caseModel } from './case.model.js';
import type { Case, caseInputSchema } from './case.schema.js';
import { applyCaseEvents, type CaseEvent, type CaseState, type CaseStep, openCase } from './case-lifecycle.js';
import { type CaseMessage, logCaseMessage } from './case-messages.js';
import { nextCaseNumber } from './case-number.js';
import { emitStep, writeActivities } from './case-writes.js';

/** What `cases.respond` and `cases.addCustomerMessage` return. */
export interface CaseMessageResult {
  /** The case after the message. */
  record: Case;
  /** The interaction that carries the message, on the case and the contact's timeline. */
  interaction: Interaction;
  /** The message was the case's first response. */
  first: boolean;
}

/** Options of {@link CaseWriter.insertCase}. */
export interface InsertCaseOptions {
  idempotencyKey?: string | null;
  /** Replays what happened to the case before it is stored (imports). */
  history?: (opened: CaseState) => CaseState;
  satisfaction?: number | null;
}

/** A parsed `cases.create` input. */
export type ParsedCase = z.output<typeof caseInputSchema>;

/**
 * The writes every case path shares, inside a running write: opening a case
 * (create, import, intake), applying lifecycle events to it, and storing a
 * message with its step. Internal to the cases folder.
 */
export class CaseWriter {
  constructor(
    readonly ctx: TenantContext,
    readonly store: EntityStore<NonNullable<(typeof caseModel)['rowType']>, Case>,
  ) {}

  /** Opens a case in a running write. */
  async insertCase(w: WriteScope, data: ParsedCase, options: InsertCaseOptions = {}): Promise<Case> {
    const { idempotencyKey = null, history, satisfaction = null } = options;
    const ctx = this.ctx;
    await assertExists(w.tx, ctx, 'company', data.companyId);
    await assertExists(w.tx, ctx, 'team', data.teamId);
    await assertExists(w.tx, ctx, 'member', data.ownerId);
    await assertExists(w.tx, ctx, 'asset', data.assetId);
    await assertExists(w.tx, ctx, 'contract', data.contractId);
    const contact = data.contactId ? await w.tx.findOne({ model: contactModel, tenantId: ctx.tenantId, id: data.contactId }) : undefined;
    if (data.contactId && !contact) await assertExists(w.tx, ctx, 'contact', data.contactId);
    const priority = data.priority ?? 'normal';
    const type = data.type ?? 'question';
    const channel = data.channel ?? 'web';
    const companyId = data.companyId ?? contact?.companyId ?? null;
    const tags = data.tags ?? [];
    // The case's SLA is the tenant's rule, not the actor's view: matched over every policy (system work).
    const policy = await matchPolicy(w.systemTx, ctx, { priority, type, channel, companyId, teamId: data.teamId ?? null, tags });
    const openedAt = data.openedAt ?? w.now;
    const opened = openCase(policy, priority, openedAt);
    const state = history ? history(opened) : opened;
    const record = await this.store.insert(w, {
      ...state, number: await nextCaseNumber(w), subject: data.subject, description: data.description ?? null,
      contactId: data.contactId ?? null, companyId, assetId: data.assetId ?? null, contractId: data.contractId ?? null,
      type, channel, teamId: data.teamId ?? null, slaPolicyId: policy?.id ?? null, satisfaction,
      externalId: data.externalId ?? null, idempotencyKey, ...ownedDefaults(ctx, 'case', data),
    });
    await writeActivities(w, record.id, [{ kind: 'opened', at: openedAt, toStatus: 'new', data: history ? { imported: true } : {} }]);
    w.emit('case.created', { record });
    return record;
  }


  /** A response or customer message in a running write: the lifecycle step, the interaction, history and events. */
  async message(w: WriteScope, caseId: string, event: CaseEvent, message: Omit<CaseMessage, 'channel'> & { channel: CaseMessage['channel'] | undefined }): Promise<CaseMessageResult> {
    const { before, after, step } = await this.applyEvents(w, caseId, () => [event], false);
    const interaction = await logCaseMessage(w, after, { ...message, channel: message.channel ?? after.channel });
    await writeActivities(w, caseId, step.activities, interaction.id);
    if (event.kind === 'response') w.emit('case.responded', { record: after, interactionId: interaction.id, first: step.firstResponse });
    else w.emit('case.customerMessage', { record: after, interactionId: interaction.id });
    emitStep(w, before, after, step);
    return { record: after, interaction, first: step.firstResponse };
  }

  /** Applies lifecycle events to the locked case and writes it, with its history and events unless `finish` is false. */
  async applyEvents(w: WriteScope, caseId: string, events: (c: Case) => CaseEvent[], finish = true): Promise<{ before: Case; after: Case; step: CaseStep }> {
    let computed: CaseStep | undefined;
    // Computed from the locked row (again on a retried patch), never from an earlier read.
    const { before, after } = await this.store.patch(w, caseId, (c) => (computed = applyCaseEvents(c, events(c))).state);
    const step = computed ?? applyCaseEvents(before, []);
    if (finish) {
      await writeActivities(w, caseId, step.activities);
      emitStep(w, before, after, step);
    }
    return { before, after, step };
  }
}
