import { ValidationError } from '@crmkit/core';
import type { EffectContext } from './effect.js';

/**
 * The id of the record an effect acts on: given in the params, else the instance's subject when it is of that type.
 * @throws {ValidationError} when neither names a record of that type
 */
export function subjectId(ctx: EffectContext, type: string, given: unknown): string {
  if (typeof given === 'string') return given;
  if (ctx.subject?.type === type) return ctx.subject.id;
  throw ValidationError.single(`${ctx.workflowId}: no ${type} id in the params and the subject is not a ${type}`, ['params', `${type}Id`]);
}
