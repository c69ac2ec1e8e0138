import { CrmError } from '../errors.js';

/** Exit codes of `crmkit`. */
export const exitCodes = {
  /** Done. */
  ok: 0,
  /** Failed, or an import rejected rows. */
  failure: 1,
  /** Wrong arguments or options. */
  usage: 2,
} as const;

/** A failure the CLI reports as one line and an exit code, without a stack trace. */
export class CliError extends CrmError {
  /** The process exit code. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number = exitCodes.failure) {
    super('CLI_FAILED', message);
    this.exitCode = exitCode;
  }
}

/** A usage error: exit code 2, as commander's own. */
export function usageError(message: string): CliError {
  return new CliError(message, exitCodes.usage);
}

interface Issue {
  path?: PropertyKey[];
  message?: string;
}

/**
 * One line for an error. crmkit's errors are recognised by their `code`, not
 * `instanceof`: the adapters load their own copy of `@crmkit/core`, whose
 * classes are not the binary's.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('code' in error)) return String(error instanceof Error ? error.message : error);
  const { code, message } = error as { code: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(code);
  if (code === 'VALIDATION_FAILED' && Array.isArray((error as { issues?: unknown }).issues)) {
    const issues = (error as unknown as { issues: Issue[] }).issues;
    const details = issues.slice(0, 3).map((i) => `${(i.path ?? []).map(String).join('.') || '(input)'}: ${i.message ?? ''}`);
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    return details.length > 0 ? `invalid input: ${details.join('; ')}${more}` : text;
  }
  return text;
}
