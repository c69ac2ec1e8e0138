import type { z } from 'zod';

/** Options shared by every {@link CrmError}. */
export interface CrmErrorOptions {
  /** The lower-level error this one wraps (a driver error, a zod error...). */
  cause?: unknown;
}

/**
 * Base class of every error crmkit throws on purpose. `code` is stable across
 * releases, so callers can branch on it even across package boundaries where
 * `instanceof` fails (two copies of `@crmkit/core` in one bundle).
 */
export class CrmError extends Error {
  /** A stable, machine-readable identifier such as `NOT_FOUND`. */
  readonly code: string;

  constructor(code: string, message: string, options: CrmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** Text cut to `max` characters, with an ellipsis when something was cut. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A path segment as reported: a hostile key of megabytes becomes its first 64 characters. */
function shortSegment(segment: PropertyKey): PropertyKey {
  return typeof segment === 'string' ? shorten(segment, 64) : segment;
}

/** One problem found in an input: where it is and what is wrong with it. */
export interface ValidationIssue {
  /** Path to the offending value inside the input, e.g. `['emails', 0]`. */
  path: PropertyKey[];
  /** Human-readable explanation. */
  message: string;
  /** The zod issue code (`invalid_type`, `too_big`, ...) or `custom`. */
  code: string;
}

/**
 * An input did not match its schema. Nothing has been written when this is
 * thrown: inputs are parsed before any storage call.
 */
export class ValidationError extends CrmError {
  /** Every problem found, not just the first. */
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[], options: CrmErrorOptions = {}) {
    super('VALIDATION_FAILED', message, options);
    this.issues = issues;
  }

  /**
   * Builds a ValidationError from a failed zod parse; `prefix` is prepended to
   * every issue path (`['custom']` for custom fields). Messages and path
   * segments are shortened: an error must not echo megabytes of hostile input.
   */
  static fromZod(error: z.ZodError, what: string, prefix: PropertyKey[] = []): ValidationError {
    const issues = error.issues.slice(0, 100).map((issue) => ({
      path: [...prefix, ...issue.path].map(shortSegment),
      message: shorten(issue.message, 300),
      code: issue.code,
    }));
    const first = issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.map(String).join('.')}` : '';
    return new ValidationError(shorten(`Invalid ${what}${where}: ${first?.message ?? 'unknown problem'}`, 500), issues, { cause: error });
  }

  /** Builds a ValidationError for one problem found outside zod. */
  static single(message: string, path: PropertyKey[] = []): ValidationError {
    const short = shorten(message, 500);
    return new ValidationError(short, [{ path: path.map(shortSegment), message: short, code: 'custom' }]);
  }
}

/** A record the caller named does not exist in the caller's tenant. */
export class NotFoundError extends CrmError {
  /** The entity (model) name, e.g. `contact`. */
  readonly entity: string;
  /** The id that was looked up. */
  readonly id: string;

  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${JSON.stringify(id)} was not found`);
    this.entity = entity;
    this.id = id;
  }
}

/**
 * The acting member's roles do not allow this: an action on a record outside
 * the member's grant (`entity`, `action`, `id`), or a field the member may not
 * see or change (`field`). A record the member may not even read is reported
 * as missing ({@link NotFoundError}) instead, so that its existence does not leak.
 */
export class ForbiddenError extends CrmError {
  /** The entity (model) name, e.g. `deal`. */
  readonly entity: string;
  /** What was refused: `read`, `create`, `update`, `delete`, `export`, `merge` or `assign`. */
  readonly action: string;
  /** The record, when the action was on one. */
  readonly id: string | null;
  /** The field, when a field-level rule refused it. */
  readonly field: string | null;

  constructor(entity: string, action: string, id: string | null, field: string | null = null) {
    const what = field === null ? '' : ` field ${JSON.stringify(field)} of`;
    const which = id === null ? '' : ` ${JSON.stringify(id)}`;
    super('FORBIDDEN', `Not allowed to ${action}${what} ${entity}${which}`);
    this.entity = entity;
    this.action = action;
    this.id = id;
    this.field = field;
  }
}

/**
 * A write was guarded by `expectedVersion` and the record has moved on since:
 * somebody else updated it. Re-read the record and retry (see `withRetry`).
 */
export class ConflictError extends CrmError {
  /** The entity (model) name. */
  readonly entity: string;
  /** The id of the record. */
  readonly id: string;
  /** The version the caller expected. */
  readonly expectedVersion: number;
  /** The version found in storage. */
  readonly actualVersion: number;

  constructor(entity: string, id: string, expectedVersion: number, actualVersion: number) {
    super(
      'VERSION_CONFLICT',
      `${entity} ${JSON.stringify(id)} is at version ${actualVersion}, not the expected ${expectedVersion}`,
    );
    this.entity = entity;
    this.id = id;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** A write would break a uniqueness rule (same email twice, same external key...). */
export class DuplicateError extends CrmError {
  /** The entity (model) name. */
  readonly entity: string;
  /** The fields whose combination must be unique, when the driver says which. */
  readonly fields: string[];

  constructor(entity: string, fields: string[], options: CrmErrorOptions = {}) {
    super(
      'DUPLICATE',
      `${entity} with the same ${fields.length > 0 ? fields.join(', ') : 'unique key'} already exists`,
      options,
    );
    this.entity = entity;
    this.fields = fields;
  }
}

/** A business rule refused the operation (completing a task twice, closing a deal in a pipeline without a won stage...). */
export class StateError extends CrmError {
  constructor(message: string, options: CrmErrorOptions = {}) {
    super('INVALID_STATE', message, options);
  }
}

/**
 * The storage layer failed for a reason that is not the caller's input: the
 * connection dropped, a serialisation failure, a constraint the schema did not
 * foresee. The driver's error is kept as `cause`.
 */
export class StorageError extends CrmError {
  /** Whether retrying the same operation may succeed (lost connection, serialisation failure). */
  readonly retryable: boolean;

  constructor(message: string, options: CrmErrorOptions & { retryable?: boolean } = {}) {
    super('STORAGE_FAILED', message, options);
    this.retryable = options.retryable ?? false;
  }
}
