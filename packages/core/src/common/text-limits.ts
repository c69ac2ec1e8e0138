import { ValidationError } from '../errors.js';
import type { TenantContext } from './context.js';

/**
 * Checks a long-text field (a body, a description) against the host's
 * `limits.textLength`, before any write.
 * @throws {ValidationError}
 */
export function checkText(ctx: TenantContext, value: string | null | undefined, path: PropertyKey[]): void {
  const max = ctx.runtime.limits.textLength;
  if (typeof value === 'string' && value.length > max) throw ValidationError.single(`Texts hold at most ${max} characters`, path);
}
