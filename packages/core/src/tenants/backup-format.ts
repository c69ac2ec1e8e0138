import { ValidationError } from '../errors.js';
import type { Row } from '../storage/adapter.js';
import type { ModelDefinition } from '../storage/schema.js';

/** The `format` of every backup's header line. */
export const tenantBackupFormat = 'crmkit-tenant-backup';

/** The version of the line format {@link TenantAdmin.backup} writes and `restore` reads. */
export const tenantBackupVersion = 1;

/** The first line of a tenant backup. */
export interface TenantBackupHeader {
  format: typeof tenantBackupFormat;
  /** The line format's version: {@link tenantBackupVersion}. */
  version: number;
  /** The tenant backed up. */
  tenantId: string;
  /** Ids of the core migrations the source's tables were at, in order: the shape of every row. */
  migrations: string[];
  /** When the backup started, ISO UTC from the crm's clock. */
  startedAt: string;
}

/** One line per row: the model's name and the row without `tenantId`, bigints beyond 2^53 as decimal strings. */
export interface TenantBackupRowLine {
  model: string;
  row: Row;
}

/** The last line: how many rows came before it, so that a truncated backup is refused. */
export interface TenantBackupEndLine {
  end: { rows: number };
}

/**
 * The row as a JSON line. `bigint` fields beyond the safe range become decimal
 * strings (JSON numbers past 2^53 would be read back rounded); every other
 * value is already what JSON holds exactly, since adapters refuse JSON fields
 * JSON.stringify would change.
 */
export function encodeRowLine(model: ModelDefinition, row: Row): string {
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === 'tenantId') continue;
    out[name] = typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;
  }
  return JSON.stringify({ model: model.name, row: out } satisfies TenantBackupRowLine);
}

/**
 * The row of a line, ready for `createMany` under `tenantId`: `bigint` fields
 * given as strings become bigints, and when the tenant is renamed, every
 * `tenantId` property in JSON fields that named the source tenant (records
 * inside event payloads, audit snapshots) names the new one.
 * @throws {ValidationError} for a field the model does not have or a malformed bigint
 */
export function decodeRow(model: ModelDefinition, row: Row, line: number, rename: { from: string; to: string } | undefined): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    const field = model.fields[name];
    if (field === undefined || name === 'tenantId') {
      throw ValidationError.single(`Backup line ${line}: ${model.name} has no field ${JSON.stringify(name)}`, ['line', line]);
    }
    if (field.type === 'bigint' && typeof value === 'string') {
      if (!/^-?\d{1,20}$/.test(value)) throw ValidationError.single(`Backup line ${line}: ${model.name}.${name} is not an integer`, ['line', line]);
      out[name] = BigInt(value);
    } else if (field.type === 'json' && rename !== undefined) {
      out[name] = renameTenant(value, rename.from, rename.to);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function renameTenant(value: unknown, from: string, to: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => renameTenant(item, from, to));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = key === 'tenantId' && item === from ? to : renameTenant(item, from, to);
  return out;
}

/**
 * The header line, checked: the format, its version, and the core migrations,
 * which must be exactly this crmkit's (rows of another schema would miss or
 * carry fields).
 * @throws {ValidationError} when the first line is not a header this crmkit can restore
 */
export function parseHeader(value: unknown, migrations: readonly string[]): TenantBackupHeader {
  const header = value as Partial<TenantBackupHeader> | null;
  if (header === null || typeof header !== 'object' || header.format !== tenantBackupFormat) {
    throw ValidationError.single('Not a crmkit tenant backup: the first line is not its header', ['line', 1]);
  }
  if (header.version !== tenantBackupVersion) {
    throw ValidationError.single(`Backup format version ${String(header.version)} is not ${tenantBackupVersion}, the one this crmkit reads`, ['line', 1, 'version']);
  }
  if (typeof header.tenantId !== 'string' || !Array.isArray(header.migrations)) {
    throw ValidationError.single('The backup header needs tenantId and migrations', ['line', 1]);
  }
  const theirs = header.migrations.join(',');
  if (theirs !== migrations.join(',')) {
    const missing = migrations.filter((id) => !header.migrations!.includes(id));
    const unknown = header.migrations.filter((id) => !migrations.includes(id));
    throw ValidationError.single(
      `The backup was made at other core migrations (missing here: ${unknown.join(', ') || 'none'}; missing there: ${missing.join(', ') || 'none'}): restore it with the crmkit version that made it`,
      ['line', 1, 'migrations'],
    );
  }
  return header as TenantBackupHeader;
}
