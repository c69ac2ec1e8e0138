import type { TenantContext } from '../common/context.js';
import { RecordService } from '../common/record-service.js';
import { assertExists, defined, mergedCustom, ownedDefaults } from '../common/references.js';
import { idSchema, parseInput, type WriteOptions, writeOptionsSchema } from '../common/zod-helpers.js';
import { productEntity } from './product.entity.js';
import type { productModel } from './product.model.js';
import { type Product, type ProductInput, productInputSchema, type ProductPatch, productPatchSchema } from './product.schema.js';

/** The product catalogue. Reached as `crm.tenant(id).products`. */
export class ProductsService extends RecordService<NonNullable<(typeof productModel)['rowType']>, Product> {
  /** @internal */
  constructor(ctx: TenantContext) {
    super(ctx, productEntity);
  }

  /**
   * Adds a product.
   * @throws {ValidationError} @throws {NotFoundError} for an unknown owner @throws {DuplicateError} for a taken name or SKU
   * @example
   * await t.products.create({ name: 'GTX Pro', series: 'GTX', price: { minor: 479_900, currency: 'USD' } });
   */
  async create(input: ProductInput): Promise<Product> {
    const data = parseInput(productInputSchema, input, 'product');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const product = await this.store.insert(w, {
        name: data.name,
        sku: data.sku ?? null,
        series: data.series ?? null,
        price: data.price ?? null,
        warrantyMonths: data.warrantyMonths ?? null,
        active: data.active,
        ...ownedDefaults(this.ctx, 'product', data),
      });
      w.emit('product.created', { record: product });
      return product;
    });
  }

  /** The product with this name, if any. */
  async findByName(name: string): Promise<Product | undefined> {
    return this.store.first({ name: parseInput(productInputSchema.shape.name, name, 'product name') });
  }

  /**
   * Changes a product. Deals keep the prices their lines were made with.
   * @throws {ValidationError} @throws {NotFoundError} @throws {ConflictError} @throws {DuplicateError}
   */
  async update(id: string, patch: ProductPatch, options?: WriteOptions): Promise<Product> {
    const productId = parseInput(idSchema, id, 'product id');
    const data = parseInput(productPatchSchema, patch, 'product patch');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    return this.ctx.write(async (w) => {
      await assertExists(w.tx, this.ctx, 'member', data.ownerId);
      const { after, changes } = await this.store.patch(
        w,
        productId,
        (before) => defined({ ...data, custom: mergedCustom(this.ctx, 'product', before.custom, data.custom) }),
        expectedVersion,
      );
      if (changes.length > 0) w.emit('product.updated', { record: after, changes });
      return after;
    });
  }

  /**
   * Deletes a product from the catalogue. Deal lines keep their own copy of
   * the name and price, so past deals are unchanged; to stop offering a
   * product but keep it, set `active: false` instead.
   * @throws {NotFoundError} @throws {ConflictError}
   */
  async delete(id: string, options?: WriteOptions): Promise<void> {
    const productId = parseInput(idSchema, id, 'product id');
    const { expectedVersion } = parseInput(writeOptionsSchema, options, 'write options');
    await this.ctx.write(async (w) => {
      const record = await this.store.remove(w, productId, expectedVersion);
      w.emit('product.deleted', { record });
    });
  }
}
