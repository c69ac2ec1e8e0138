import type { TenantContext } from '../common/context.js';
import { ValidationError } from '../errors.js';
import type { DuplicateEntity, DuplicateMatch } from './duplicate.schema.js';
import { phasesOf } from './phases.js';
import { comparisons } from './score.js';

/** Most pairs one page compares before it returns (possibly short of `limit`), so no call runs unbounded. */
export const maxComparisonsPerPage = 50_000;

/** Where a walk stands: phase, last unit fully handed out, and the unit in progress with how many of its matches went out. */
interface Position {
  p: number;
  after: unknown;
  unit: unknown;
  skip: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function readPosition(ctx: TenantContext, scope: string, cursor: string | undefined, phases: number): Position {
  if (cursor === undefined) return { p: 0, after: null, unit: null, skip: 0 };
  const [p, after, unit, skip] = ctx.runtime.cursors.decode(scope, cursor);
  if (typeof p !== 'number' || p < 0 || p >= phases || typeof skip !== 'number') throw ValidationError.single('Invalid cursor', ['cursor']);
  return { p, after, unit, skip };
}

/**
 * One page of likely duplicates: the phases of the entity run in order, block
 * by block, and the page stops at `limit` matches or after
 * {@link maxComparisonsPerPage} comparisons. `nextCursor` is null only when
 * every phase is done: a page may be short (or empty) before that.
 */
export async function findDuplicates(
  ctx: TenantContext,
  options: { entity: DuplicateEntity; threshold: number; limit: number; cursor?: string | undefined },
): Promise<{ items: DuplicateMatch[]; nextCursor: string | null }> {
  const phases = phasesOf(options.entity);
  // The threshold is part of the scope: a cursor resumes only the walk it was made for.
  const scope = `${ctx.tenantId}\0duplicates:${options.entity}\0${options.threshold}`;
  const start = readPosition(ctx, scope, options.cursor, phases.length);
  const cursorAt = (position: Position) => ctx.runtime.cursors.encode(scope, [position.p, position.after, position.unit, position.skip]);
  const items: DuplicateMatch[] = [];
  const compared = comparisons.count;
  for (let p = start.p; p < phases.length; p++) {
    const resume = p === start.p;
    let done = resume ? start.after : null;
    for await (const unit of phases[p]!.units(ctx, done ?? undefined, options.threshold)) {
      const skip = resume && start.unit !== null && same(unit.key, start.unit) ? start.skip : 0;
      const rest = unit.matches().slice(skip);
      const room = options.limit - items.length;
      if (rest.length > room) {
        items.push(...rest.slice(0, room));
        return { items, nextCursor: cursorAt({ p, after: done, unit: unit.key, skip: skip + room }) };
      }
      items.push(...rest);
      done = unit.key;
      if (items.length === options.limit || comparisons.count - compared >= maxComparisonsPerPage) {
        return { items, nextCursor: cursorAt({ p, after: done, unit: null, skip: 0 }) };
      }
    }
  }
  return { items, nextCursor: null };
}
