import type { TenantContext } from '../../common/context.js';
import { parseInput } from '../../common/zod-helpers.js';
import { ValidationError } from '../../errors.js';
import { teamModel } from '../../members/member.model.js';
import { catalogueOf } from './cube-catalogue.js';
import { compileCube } from './cube-compiler.js';
import { type CubeResult, shapeCells, shapeTotals } from './cube-rows.js';
import { type CubeOptions, cubeOptionsSchema } from './cube.schema.js';

/**
 * Most teams a `team` dimension read through owners slices by: each team is
 * a set of filtered metrics in the one grouped query.
 */
export const maxCubeTeams = 50;

/**
 * An OLAP-style cube over deals, orders, cases or interactions: the measures
 * per cell of the dimensions, computed by one grouped SQL aggregate (and one
 * more for the totals), never by loading records. The teams of the tenant are
 * read first when `team` is sliced through owners (teams are few).
 *
 * @throws {ValidationError} for options the catalogue does not know (the
 *   issue's path names the option: `measures.1`, `dimensions.0`, `filters.custom.x`),
 *   and for a `team` dimension over more than {@link maxCubeTeams} teams.
 */
export async function cube(ctx: TenantContext, options: CubeOptions): Promise<CubeResult> {
  const opts = parseInput(cubeOptionsSchema, options, 'cube options');
  let teamIds: string[] = [];
  if (opts.dimensions.includes('team') && catalogueOf(opts.source).team === 'owner') {
    const teams = await ctx.storage.findMany({ model: teamModel, tenantId: ctx.tenantId, select: ['id'], orderBy: [{ field: 'id' }], limit: maxCubeTeams + 1 });
    if (teams.length > maxCubeTeams) {
      throw ValidationError.single(`A cube slices by at most ${maxCubeTeams} teams: filter by owner instead`, ['dimensions', opts.dimensions.indexOf('team')]);
    }
    teamIds = teams.map((t) => t.id);
  }
  const plan = compileCube(opts, ctx.tenantId, teamIds);
  const [cells, totals] = await Promise.all([
    ctx.storage.aggregate(plan.cells),
    plan.totals === undefined ? Promise.resolve(undefined) : ctx.storage.aggregate(plan.totals),
  ]);
  const result: CubeResult = shapeCells(plan, cells);
  if (totals !== undefined) result.totals = shapeTotals(plan, totals);
  return result;
}
