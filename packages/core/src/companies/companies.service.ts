import type { TenantContext, WriteScope } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, assertNoCycle, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { contactModel } from '../contacts/contact.model.js';
import { dealModel } from '../deals/deal.model.js';
import type { ModelDefinition } from '../storage/schema.js';
import { companyEntity } from './company.entity.js';
import type { companyModel } from './company.model.js';
import { type Company, type CompanyInput, companyInputSchema, type CompanyPatch, companyPatchSchema } from './company.schema.js';
import { createOnce, type CreateOptions, createOptionsSchema } from '../common/idempotent-create.js';
import { getOrSurvivor } from '../merge/resolve.js';

/** Companies (accounts). Reached as `crm.tenant(id).companies`. */
export class CompaniesService extends RecordService<NonNullable<(typeof companyModel)['rowType']>, Company> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, companyEntity);
  }

  /**
   * Reads one company; the id of a company merged into another (`duplicates.merge`) reads the survivor.
   * @throws {ValidationError} for a malformed id @throws {NotFoundError} when the tenant has no such company
   */
  override async get(id: string): Promise<Company> {
    return getOrSurvivor(this.store, parseInput(idSchema, id, 'company id'));
  }

  /**
   * Creates a company. With an `idempotencyKey`, a repeated call returns the
   * company the first one created instead of creating another.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown parent or owner @throws {DuplicateError} for a domain already used
   * @example
   * const acme = await t.companies.create({ name: 'Acme', domain: 'https://www.acme.io' }); // domain: 'acme.io'
   */
  async create(input: CompanyInput, options?: CreateOptions): Promise<Company> {
    const data = parseInput(companyInputSchema, input, 'company');
    const { idempotencyKey } = parseInput(createOptionsSchema, options, 'create options');
    return createOnce(this.store, idempotencyKey, async (w) => {
      await assertExists(w.tx, this.ctx, 'company', data.parentCompanyId);
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const company = await this.store.insert(w, {
        name: data.name,
        domain: data.domain ?? null,
        sector: data.sector ?? null,
        employees: data.employees ?? null,
        annualRevenue: data.annualRevenue ?? null,
        foundedYear: data.foundedYear ?? null,
        city: data.city ?? null,
        country: data.country ?? null,
        parentCompanyId: data.parentCompanyId ?? null,
        externalId: data.externalId ?? null,
        idempotencyKey: idempotencyKey ?? null,
        ...ownedDefaults(this.ctx, 'company', data),
      });
      w.emit('company.created', { record: company });
      return company;
    });
  }

  /** Finds a company by its normalised domain (`www.Acme.io` finds `acme.io`). */
  async findByDomain(domain: string): Promise<Company | undefined> {
    const normalized = parseInput(companyInputSchema.shape.domain, domain, 'domain');
    if (!normalized) return undefined;
    return this.store.first({ domain: normalized });
  }

  /** Direct subsidiaries of a company, by name. */
  async subsidiaries(id: string): Promise<Company[]> {
    const parentCompanyId = parseInput(idSchema, id, 'company id');
    return this.store.all({ parentCompanyId }, [{ field: 'name' }]);
  }

  /**
   * Changes a company; `custom` keys merge into the existing ones (`null` removes a key).
   * @throws {ValidationError} for a parent that would make a cycle @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError}
   */
  async update(id: string, patch: CompanyPatch, options?: WriteOptions): Promise<Company> {
    const companyId = parseInput(idSchema, id, 'company id');
    const data = parseInput(companyPatchSchema, patch, 'company patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      if (data.parentCompanyId) {
        await assertExists(w.tx, this.ctx, 'company', data.parentCompanyId);
        // The walk up reads ancestors the actor may not see: a cycle is about the tree, not the grant.
        await assertNoCycle(
          companyId,
          data.parentCompanyId,
          async (parentId) => (await this.store.get(parentId, w.systemTx)).parentCompanyId,
          'parentCompanyId',
        );
      }
      const { after, changes } = await this.store.patch(
        w,
        companyId,
        (before) => defined({ ...data, custom: mergedCustom(this.ctx, 'company', before.custom, data.custom) }),
        expectedVersion,
      );
      if (changes.length > 0) w.emit('company.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Deletes a company. Contacts, deals and subsidiaries keep their history but
   * lose the link (`companyId` / `parentCompanyId` becomes null, audited per
   * record) in the same transaction.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const companyId = parseInput(idSchema, id, 'company id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, companyId, expectedVersion);
      await this.#unlink(w, contactModel, 'companyId', companyId);
      await this.#unlink(w, dealModel, 'companyId', companyId);
      await this.#unlink(w, companyEntity.model, 'parentCompanyId', companyId);
      w.emit('company.deleted', { record });
    });
  }

  /**
   * Clears a link to a deleted company on every record that has it, each
   * change audited like an edit (one row each: deletions are rare, history matters).
   * System work: the delete was allowed, and every record pointing at the
   * company must lose the link, also those the actor may not read or change,
   * or they would keep pointing at nothing.
   */
  async #unlink<R extends { id: string; version: number }>(w: WriteScope, model: ModelDefinition<R>, field: keyof R & string, companyId: string): Promise<void> {
    const tenantId = this.ctx.tenantId;
    const linked = await w.systemTx.findMany({ model, tenantId, where: { [field]: companyId }, select: ['id'] });
    for (const row of linked) {
      const updated = await w.systemTx.update({ model, tenantId, id: row.id, data: { [field]: null, updatedAt: w.now } as unknown as Partial<R> });
      w.audit(model.name, row.id, 'update', [{ field, from: companyId, to: null }], updated.version);
    }
  }
}
