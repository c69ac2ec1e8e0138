import { ConflictError, ForbiddenError, NotFoundError, StateError, ValidationError } from '@crmkit/core';

/** Why a move was refused, for #toast, with the status the board's script branches on. */
export interface MoveRefusal {
  status: 403 | 404 | 409 | 422;
  message: string;
}

/** Field paths of a stage gate, for people: `companyId` reads `company`. */
function fieldLabel(path: readonly PropertyKey[]): string {
  return path.map(String).join('.').replace(/Ids?$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * The refusal a failed move is shown as, or undefined for an error that is
 * not a refusal (a bug, a lost database), which must surface as a 500.
 * A gate refusal names the fields to fill in; a stale card says to reload.
 */
export function moveRefusal(error: unknown, dealTitle: string, stageName: string): MoveRefusal | undefined {
  if (error instanceof ValidationError) {
    const missing = error.issues.filter((i) => i.code === 'missing_for_stage').map((i) => fieldLabel(i.path));
    if (missing.length > 0) return { status: 422, message: `“${dealTitle}” cannot enter ${stageName} yet: fill in ${missing.join(', ')} first.` };
    return { status: 422, message: `“${dealTitle}” cannot move to ${stageName}: ${error.issues[0]?.message ?? error.message}` };
  }
  if (error instanceof ConflictError) {
    return { status: 409, message: `“${dealTitle}” was changed by someone else since this board was loaded; reload to see it as it is now.` };
  }
  if (error instanceof ForbiddenError) return { status: 403, message: `You may not move “${dealTitle}”.` };
  if (error instanceof NotFoundError) return { status: 404, message: 'That deal or stage is not there any more; reload the board.' };
  if (error instanceof StateError) return { status: 409, message: error.message };
  return undefined;
}
