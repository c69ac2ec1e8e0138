import { ValidationError } from '../errors.js';
import type { PersonalDataHandler } from './personal-data-handler.js';

/**
 * The handlers of `createCrm({ personalData })`, checked: each names its export section, so names are unique.
 * @throws {ValidationError} for a handler without a name or two with one name
 */
export function uniqueHandlers(handlers: readonly PersonalDataHandler[]): readonly PersonalDataHandler[] {
  const seen = new Set<string>();
  handlers.forEach((handler, i) => {
    if (typeof handler?.name !== 'string' || handler.name.length === 0 || typeof handler.export !== 'function' || typeof handler.erase !== 'function') {
      throw ValidationError.single('A personal-data handler needs a name, export and erase', ['personalData', i]);
    }
    if (handler.relink !== undefined && typeof handler.relink !== 'function') throw ValidationError.single('A personal-data handler\'s relink must be a function', ['personalData', i, 'relink']);
    if (seen.has(handler.name)) throw ValidationError.single(`Two personal-data handlers are named ${JSON.stringify(handler.name)}`, ['personalData', i]);
    seen.add(handler.name);
  });
  return [...handlers];
}
