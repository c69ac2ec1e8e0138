import type { TenantContext } from '../common/context.js';
import { type CustomizableEntity, parseCustom } from '../common/custom-fields.js';
import { CrmError, DuplicateError, NotFoundError, ValidationError, type ValidationIssue } from '../errors.js';
import type { ColumnPlan } from './column-plan.js';
import { shapeOf } from './coerce-cell.js';
import type { ImportIssue } from './import.schema.js';
import type { ImportTarget } from './import-targets.js';
import type { RowDraft } from './row-draft.js';

/** Validation issues of a row as import issues, each on the column its field came from. */
export function issuesOf(draft: RowDraft, plan: ColumnPlan, issues: readonly ValidationIssue[]): ImportIssue[] {
  return issues.map((issue) => {
    const column = plan.columnOf(issue.path);
    const field = issue.path.map(String).join('.');
    return {
      line: draft.line, row: draft.row,
      ...(column !== undefined ? { column } : {}),
      ...(field !== '' ? { field } : {}),
      code: issue.code, message: issue.message,
    };
  });
}

/** A write-time failure of a row (a duplicate, a record that vanished, a rule of the service) as its issues. */
export function writeIssues(draft: RowDraft, plan: ColumnPlan, error: CrmError): ImportIssue[] {
  if (error instanceof ValidationError && error.issues.length > 0) return issuesOf(draft, plan, error.issues);
  // A missing reference is named by entity: `companyId` holds a company, `stage` a stage key.
  const candidates = error instanceof DuplicateError ? error.fields.slice(0, 1) : error instanceof NotFoundError ? [`${error.entity}Id`, error.entity] : [];
  const field = candidates.find((f) => plan.columnOf([f]) !== undefined) ?? candidates[0];
  const column = field === undefined ? undefined : plan.columnOf([field]);
  return [{
    line: draft.line, row: draft.row,
    ...(column !== undefined ? { column } : {}),
    ...(field !== undefined ? { field } : {}),
    code: error.code, message: error.message,
  }];
}

/**
 * Checks a looked-up row with the schema its service call parses with (the create
 * input or the patch) and the host's custom-field schema, before anything is
 * written, so that a bad row is reported and never aborts its batch. A create of a
 * target with a bulk path is also prepared here, by the service's own
 * normalisation, and keeps the result for the write (parsed once, not again
 * there). Fields an update cannot change are left out of the patch and
 * returned, to be reported once per import.
 */
export function validateDraft(ctx: TenantContext, target: ImportTarget, plan: ColumnPlan, draft: RowDraft): string[] {
  const dropped: string[] = [];
  const update = draft.op?.kind === 'update';
  if (update) {
    const shape = shapeOf(target.patch) ?? {};
    for (const field of Object.keys(draft.values)) {
      if (!Object.hasOwn(shape, field)) {
        delete draft.values[field];
        dropped.push(field);
      }
    }
  }
  const result = (update ? target.patch : target.input).safeParse(draft.values);
  if (!result.success) {
    draft.issues.push(...issuesOf(draft, plan, ValidationError.fromZod(result.error, target.entity).issues));
    return dropped;
  }
  if (update) return dropped;
  try {
    // `prepare` checks the custom fields itself, as the service's create does.
    if (target.bulk) draft.prepared = target.bulk.prepare(ctx, result.data);
    else if (typeof draft.values.custom === 'object' && draft.values.custom !== null) {
      parseCustom(ctx.runtime, target.entity as CustomizableEntity, draft.values.custom as Record<string, unknown>);
    }
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    draft.issues.push(...writeIssues(draft, plan, error));
  }
  return dropped;
}
