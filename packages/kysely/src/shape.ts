import { type CompiledQuery, type Kysely, type RootOperationNode, type QueryId, sql } from 'kysely';
import type { SqlFragment } from './dialect.js';

/** A deferred fragment: built only when a statement shape is compiled for the first time. */
export type Frag = () => SqlFragment;

/**
 * A parameter placeholder. Fragments bind `Slot`s instead of values, so the SQL
 * of a statement shape is compiled once and later calls only fill the slots;
 * a dialect may place or repeat a slot anywhere because it is found by identity.
 */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * Collects, in one pass over a request, the shape key (everything that changes
 * the SQL text) and the parameter values (everything that does not).
 */
export class ShapeBuilder {
  /** Everything that decides the SQL text. */
  key = '';
  /** Parameter values, indexed by slot. */
  readonly values: unknown[] = [];
  /** Whether values become SQL literals (migration scripts), which rules out binding a list as one array. */
  readonly inline: boolean = false;

  /** Binds a value; returns the fragment that stands for it. */
  bind(value: unknown): Frag {
    const slot = new Slot(this.values.push(value) - 1);
    return () => sql.val(slot);
  }
}

/**
 * Binds values as SQL literals instead of parameters, for statements printed
 * as a script (data steps of migrations). Kysely escapes the literals.
 */
export class LiteralBuilder extends ShapeBuilder {
  override readonly inline: boolean = true;

  override bind(value: unknown): Frag {
    return () => sql.lit(value);
  }
}

/** A statement shape compiled once: SQL text plus where each parameter comes from. */
export interface PreparedShape {
  readonly sql: string;
  readonly query: RootOperationNode;
  readonly queryId: QueryId;
  /** For each placeholder, the slot it reads; `-1 - i` reads `constants[i]`. */
  readonly recipe: readonly number[];
  readonly constants: readonly unknown[];
  /** Whether placeholders are exactly slots 0..n-1, so the values array can be used as is. */
  readonly identity: boolean;
}

/** Compiles a statement built from slots into a reusable shape. */
export function prepareShape(db: Kysely<any>, build: () => SqlFragment): PreparedShape {
  const compiled = build().compile(db);
  const constants: unknown[] = [];
  const recipe = compiled.parameters.map((p) => (p instanceof Slot ? p.index : -1 - (constants.push(p) - 1)));
  return {
    sql: compiled.sql,
    query: compiled.query,
    queryId: compiled.queryId,
    recipe,
    constants,
    identity: constants.length === 0 && recipe.every((slot, i) => slot === i),
  };
}

/** The executable query of a shape for one set of slot values. */
export function bindShape<R>(shape: PreparedShape, values: readonly unknown[]): CompiledQuery<R> {
  let parameters: readonly unknown[];
  if (shape.identity && values.length === shape.recipe.length) {
    parameters = values;
  } else {
    const params = new Array<unknown>(shape.recipe.length);
    for (let i = 0; i < params.length; i++) {
      const slot = shape.recipe[i]!;
      params[i] = slot >= 0 ? values[slot] : shape.constants[-1 - slot];
    }
    parameters = params;
  }
  return { sql: shape.sql, parameters, query: shape.query, queryId: shape.queryId } as CompiledQuery<R>;
}

/**
 * A bounded cache of shapes. Shapes are few in practice (one per query form a
 * program uses); the bound only guards against shapes made from data, such as
 * `in` lists of ever-changing length.
 */
export class ShapeCache {
  readonly #shapes = new Map<string, PreparedShape>();
  constructor(private readonly limit = 500) {}

  /** The shape for `key`, compiled with `build` on first use. */
  get(db: Kysely<any>, key: string, build: () => SqlFragment): PreparedShape {
    let shape = this.#shapes.get(key);
    if (shape === undefined) {
      shape = prepareShape(db, build);
      if (this.#shapes.size >= this.limit) this.#shapes.delete(this.#shapes.keys().next().value!);
      this.#shapes.set(key, shape);
    }
    return shape;
  }
}
