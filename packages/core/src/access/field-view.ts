import { entities, type EntityName } from '../entities/registry.js';
import type { FieldAccessRule } from './access-levels.js';
import type { AccessPolicy } from './access-policy.js';
import { withDerived } from './field-columns.js';

/**
 * Hidden paths of one entity as a tree: `email` -> true, `custom.salary` ->
 * custom -> salary -> true. `true` ends a path: everything below is hidden.
 */
export type PathTree = ReadonlyMap<string, PathTree | true>;

/**
 * An acting member's field-level rules, shaped for the field guard: the
 * hidden paths of each entity as a tree (to strip results), every rule (to
 * refuse inputs), and whether any rule exists at all, so that a member without
 * one pays nothing beyond a lookup. Made once per policy (a policy lives as
 * long as its tenant scope).
 */
export class FieldView {
  /** Whether any entity has a rule for the member. */
  readonly any: boolean;
  readonly #policy: AccessPolicy;
  readonly #trees = new Map<EntityName, PathTree | undefined>();
  readonly #rules = new Map<EntityName, ReadonlyMap<string, FieldAccessRule>>();

  private constructor(policy: AccessPolicy) {
    this.#policy = policy;
    this.any = (Object.keys(entities) as EntityName[]).some((entity) => policy.fieldRules(entity).size > 0);
  }

  /** The view of `policy`. */
  static of(policy: AccessPolicy): FieldView {
    let view = views.get(policy);
    if (view === undefined) {
      view = new FieldView(policy);
      views.set(policy, view);
    }
    return view;
  }

  /** Every rule of the entity (record field or path -> rule), with the fields derived from ruled ones (see field-columns.ts). */
  rules(entity: EntityName): ReadonlyMap<string, FieldAccessRule> {
    let rules = this.#rules.get(entity);
    if (rules === undefined) {
      rules = withDerived(entity, this.#policy.fieldRules(entity));
      this.#rules.set(entity, rules);
    }
    return rules;
  }

  /** The tree of the entity's hidden paths, or undefined when none is hidden. */
  hiddenTree(entity: EntityName): PathTree | undefined {
    if (this.#trees.has(entity)) return this.#trees.get(entity);
    let tree: Map<string, PathTree | true> | undefined;
    for (const [path, rule] of this.rules(entity)) {
      if (rule !== 'hidden') continue;
      tree ??= new Map();
      const parts = path.split('.');
      let node = tree;
      for (const [i, part] of parts.entries()) {
        const at = node.get(part);
        if (at === true) break; // a prefix is hidden already
        if (i === parts.length - 1) {
          node.set(part, true);
          break;
        }
        const next = at ?? new Map<string, PathTree | true>();
        node.set(part, next);
        node = next as Map<string, PathTree | true>;
      }
    }
    this.#trees.set(entity, tree);
    return tree;
  }

  /**
   * Whether a path of the entity's record shows something hidden: the path or
   * a prefix of it is hidden (`custom.salary` under `custom`), or a hidden path
   * lies inside it (`custom`, holding a hidden `custom.salary`).
   */
  conceals(entity: EntityName, path: string): boolean {
    let node: PathTree | undefined = this.hiddenTree(entity);
    for (const part of path.split('.')) {
      const next: PathTree | true | undefined = node?.get(part);
      if (next === true) return true;
      if (next === undefined) return false;
      node = next;
    }
    return true;
  }
}

const views = new WeakMap<AccessPolicy, FieldView>();

/** Whether `name` is an entity of the registry (a brand may name an internal one: `auditEntry`). */
export function isRegistryEntity(name: string): name is EntityName {
  return Object.hasOwn(entities, name);
}
