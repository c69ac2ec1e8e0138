import { type ClaimDueArgs, ValidationError, storableProblem, toTimestamp, valueError } from '@crmkit/core';
import { sql } from 'kysely';
import type { SqlFragment } from './dialect.js';
import type { StorageContext } from './kysely-storage.js';
import { type ModelInfo, plainField } from './model-info.js';
import { selectList } from './row-codec.js';
import type { Frag, ShapeBuilder } from './shape.js';

/**
 * Builds the parts of a claim (due rows not leased, earliest first) and lets
 * the dialect assemble the atomic statement. The claim also increments
 * `version` on versioned models, so a worker whose lease ran out and was
 * re-claimed cannot overwrite the new holder's row with a stale version.
 *
 * @throws {ValidationError} when the due or lease field is not a timestamp.
 */
export function claimDueStatement(info: ModelInfo, args: ClaimDueArgs<object>, ctx: StorageContext, b: ShapeBuilder): () => SqlFragment {
  const due = plainField(info, args.dueField);
  const lease = plainField(info, args.leaseField);
  if (due.type !== 'timestamp' || lease.type !== 'timestamp' || !lease.nullable) {
    throw ValidationError.single(`claimDue needs a timestamp due field and a nullable timestamp lease field on ${info.model.name}`);
  }
  b.key += `(${due.name},${lease.name},${args.tenantId === undefined ? '*' : 't'})`;
  const leaseUntil = b.bind(toTimestamp(args.leaseUntil));
  const now = b.bind(toTimestamp(args.now));
  const conditions: Frag[] = [];
  let tenant: Frag | undefined;
  if (args.tenantId !== undefined) {
    if (typeof args.tenantId !== 'string' || args.tenantId === '') throw ValidationError.single('tenantId must be a non-empty string', ['tenantId']);
    const found = storableProblem('string', args.tenantId);
    if (found !== undefined) throw valueError('tenantId', found, ['tenantId']);
    const param = b.bind(args.tenantId);
    tenant = param;
    conditions.push(() => sql`${plainField(info, 'tenantId').ref} = ${param()}`);
  }
  conditions.push(() => sql`${due.ref} <= ${now()}`);
  conditions.push(() => sql`(${lease.ref} is null or ${lease.ref} <= ${now()})`);
  // Without a tenant, sub-queries of the filter are correlated on each claimed row's tenant.
  const where = ctx.where.compile(info, args.where, b, tenant);
  if (where !== undefined) conditions.push(where);
  const limit = b.bind(args.limit);
  return () => {
    const version = info.model.versioned ? sql.id(plainField(info, 'version').column) : undefined;
    const set = version
      ? sql`${sql.id(lease.column)} = ${leaseUntil()}, ${version} = ${version} + 1`
      : sql`${sql.id(lease.column)} = ${leaseUntil()}`;
    const id = plainField(info, 'id');
    return ctx.dialect.claimDue({
      table: info.table,
      set,
      filter: sql.join(conditions.map((c) => c()), sql` and `),
      orderBy: sql.join([ctx.dialect.orderTerm(due.ref, 'asc', due.nullable), ctx.dialect.orderTerm(id.ref, 'asc', false)]),
      limit: limit(),
      returning: selectList(info.fields, ctx.dialect),
      primaryKey: sql.join([plainField(info, 'tenantId').ref, id.ref]),
    });
  };
}
