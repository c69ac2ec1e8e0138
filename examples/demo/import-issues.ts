/** How many times one kind of fix, rejection or note happened, with the first example seen. */
export interface IssueCount<K extends string = string> {
  kind: K;
  /** What the kind means, for people reading the report. */
  description: string;
  count: number;
  /** The first occurrence, e.g. `line 3 (Z063OYW0): "GTXPro" -> "GTX Pro"`. */
  example: string;
}

/** Changes the importer makes to source values so they fit (the row is still imported). */
export const fixDescriptions = {
  'sector-spelling': 'sector misspelt in the source, corrected',
  'country-spelling': 'country misspelt in the source, corrected',
  'product-spelling': 'product spelt differently from the catalogue, mapped to the catalogue name',
  'parent-not-found': 'parent company unknown, company imported without a parent',
  'parent-cycle': 'parent link would make a cycle, company imported without a parent',
  'number-unreadable': 'numeric field unreadable, left empty',
} as const;
/** A kind of fix. */
export type FixKind = keyof typeof fixDescriptions;

/** Why a row was left out. */
export const rejectionDescriptions = {
  'duplicate-agent': 'sales agent listed twice',
  'manager-in-two-offices': 'manager listed under two regional offices',
  'duplicate-account': 'account listed twice',
  'duplicate-product': 'product listed twice',
  'bad-price': 'product price unreadable',
  'duplicate-opportunity': 'opportunity id seen before',
  'unknown-agent': 'sales agent not in sales_teams.csv',
  'unknown-product': 'product not in products.csv',
  'unknown-account': 'account not in accounts.csv',
  'unknown-stage': 'deal stage not one of Prospecting, Engaging, Won, Lost',
  'bad-date': 'date not a real M/D/YYYY date',
  'missing-date': 'stage needs a date the row does not have',
  'dates-contradict-stage': 'row has a date its stage cannot have',
  'dates-out-of-order': 'closed before it was engaged',
  'bad-close-value': 'close value of a won deal missing or unreadable',
  'refused-by-crm': 'the crm refused the record',
} as const;
/** A kind of rejection. */
export type RejectionKind = keyof typeof rejectionDescriptions;

/** Facts imported unchanged that a reader of the data should know. */
export const noteDescriptions = {
  'no-account': 'opportunity without account, imported with no company',
  'agent-without-opportunities': 'sales agent with no opportunity (still a member)',
} as const;
/** A kind of note. */
export type NoteKind = keyof typeof noteDescriptions;

/** Counts occurrences per kind, keeping the first example of each. */
class Tally<K extends string> {
  readonly #descriptions: Record<K, string>;
  readonly #counts = new Map<K, { count: number; example: string }>();

  constructor(descriptions: Record<K, string>) {
    this.#descriptions = descriptions;
  }

  add(kind: K, example: string): void {
    const entry = this.#counts.get(kind);
    if (entry) entry.count += 1;
    else this.#counts.set(kind, { count: 1, example });
  }

  count(kind: K): number {
    return this.#counts.get(kind)?.count ?? 0;
  }

  /** Kinds seen, in the order they were first seen. */
  list(): IssueCount<K>[] {
    return [...this.#counts].map(([kind, { count, example }]) => ({ kind, description: this.#descriptions[kind], count, example }));
  }
}

/** Everything an import changed, refused or noticed. */
export class ImportIssues {
  readonly fixes = new Tally<FixKind>(fixDescriptions);
  readonly rejections = new Tally<RejectionKind>(rejectionDescriptions);
  readonly notes = new Tally<NoteKind>(noteDescriptions);
}
