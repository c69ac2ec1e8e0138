import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { parseInput } from '../common/zod-helpers.js';
import type { Company } from '../companies/company.schema.js';
import type { Contact } from '../contacts/contact.schema.js';
import { mergeRecords, type MergeResult } from '../merge/merge.js';
import { checkDuplicates } from './check.js';
import {
  checkDuplicatesSchema, type CheckDuplicatesOptions, type DuplicateCandidate, type DuplicateEntity, duplicateEntities, type DuplicateMatch,
  findDuplicatesSchema, type FindDuplicatesOptions, type MergeInput, mergeInputSchema,
} from './duplicate.schema.js';
import { findDuplicates } from './find.js';

/**
 * Duplicate contacts and companies: find them, check an input before creating
 * it, and merge records into one. Reached as `crm.tenant(id).duplicates`.
 */
export class DuplicatesService {
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
  }

  /**
   * One page of likely duplicates of the tenant, each pair scored 0..1 and
   * explained. Rules: the same primary email or phone (SQL grouping), similar
   * names (Levenshtein on normalised names) within a company block and along
   * the name index; see docs/duplicates.md for the blocks and their bounds.
   * Stop when `nextCursor` is null: a page may be short before that.
   * @throws {ValidationError} for bad options or a cursor of another walk
   * @example
   * let cursor: string | undefined;
   * do {
   *   const page = await t.duplicates.find({ entity: 'contact', cursor });
   *   for (const match of page.items) console.log(match.ids, match.score, match.reasons);
   *   cursor = page.nextCursor ?? undefined;
   * } while (cursor);
   */
  async find(options: FindDuplicatesOptions): Promise<{ items: DuplicateMatch[]; nextCursor: string | null }> {
    const opts = parseInput(findDuplicatesSchema, options, 'find options');
    return findDuplicates(this.#ctx, opts);
  }

  /**
   * The existing records an input to `create` looks like, best first, found
   * by index reads only (email, phone, name spellings, the input's company).
   * @throws {ValidationError} for an input `create` would refuse
   * @example
   * const similar = await t.duplicates.check('contact', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.io' });
   * if (similar[0]?.score >= 0.9) return similar[0].id;
   */
  async check(entity: DuplicateEntity, input: unknown, options?: CheckDuplicatesOptions): Promise<DuplicateCandidate[]> {
    const name = parseInput(z.enum(duplicateEntities), entity, 'entity');
    const { threshold } = parseInput(checkDuplicatesSchema, options, 'check options');
    return checkDuplicates(this.#ctx, name, input, threshold);
  }

  /**
   * Merges records into a survivor, in one transaction: field by field the
   * survivor's value wins, else the first merged record's (`fields` picks
   * another), lists are unioned, custom fields merge key by key, consent keeps
   * the most restrictive answer per channel. Every reference to a merged
   * record (deals, tasks, interactions, cases, orders, assets, contracts,
   * surveys, campaign and segment members, subsidiaries...) is moved to the
   * survivor; the merged rows are deleted and their ids keep resolving
   * (`contacts.get(mergedId)` returns the survivor). Emits `contact.merged` / `company.merged`.
   * An acting member needs `merge` on the survivor and on every merged
   * record; the relinking then reaches every reference, theirs or not.
   * @throws {ForbiddenError} (entity, 'merge', id) for a record the actor may read but not merge
   * @throws {ValidationError} @throws {NotFoundError} for an id not in the tenant
   * @throws {StateError} for a record already merged @throws {ConflictError} for a stale `expectedVersions` entry
   * @example
   * const { survivor, relinked } = await t.duplicates.merge({ entity: 'contact', survivorId: ada.id, mergedIds: [copy.id], fields: { phone: copy.id } });
   */
  async merge(input: MergeInput & { entity: 'contact' }): Promise<MergeResult<Contact>>;
  async merge(input: MergeInput & { entity: 'company' }): Promise<MergeResult<Company>>;
  async merge(input: MergeInput): Promise<MergeResult>;
  async merge(input: MergeInput): Promise<MergeResult> {
    const request = parseInput(mergeInputSchema, input, 'merge input');
    return mergeRecords(this.#ctx, request);
  }
}
