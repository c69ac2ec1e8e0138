import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Contact } from '../contacts/contact.schema.js';

/** What erased text is replaced with. */
export const erasedText = '[erased]';

/**
 * The spellings by which a person can be found in free text and JSON: every
 * email, every phone (E.164 and its national and international formats, as
 * people type them), the names and the full name. Names match whole words
 * only, so that erasing "Ada" leaves "Canada" alone; emails and phones match
 * anywhere (they are long and specific).
 */
export class PersonalIdentifiers {
  readonly #pattern: RegExp | undefined;
  /** The ids whose mention makes a value "about" the person: the contact's and its records'. */
  readonly ids: Set<string>;

  constructor(contact: Contact, ids: Iterable<string>) {
    this.ids = new Set(ids);
    const loose = new Set<string>();
    for (const e of [contact.email, ...contact.emails.map((x) => x.address)]) if (e) loose.add(e);
    for (const p of [contact.phone, ...contact.phones.map((x) => x.number)]) {
      if (!p) continue;
      loose.add(p);
      const parsed = parsePhoneNumberFromString(p);
      if (parsed) {
        // The national number alone is only specific enough when long (a 6-digit string is in many ids).
        if (parsed.nationalNumber.length >= 8) loose.add(parsed.nationalNumber);
        loose.add(parsed.formatNational());
        loose.add(parsed.formatInternational());
      }
    }
    const words = new Set<string>();
    const full = [contact.firstName, contact.lastName].filter((n): n is string => Boolean(n && n.trim()));
    for (const n of full) if (n.trim().length >= 2) words.add(n.trim());
    if (full.length === 2) words.add(`${full[0]!.trim()} ${full[1]!.trim()}`);
    // Longest text first: an email is replaced whole, not the name inside it; the full name, not two words.
    const alternatives = [
      ...[...loose].filter((s) => s.length >= 3).map((text) => ({ text, pattern: escape(text) })),
      ...[...words].map((text) => ({ text, pattern: `(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])` })),
    ].sort((a, b) => b.text.length - a.text.length);
    this.#pattern = alternatives.length > 0 ? new RegExp(alternatives.map((a) => a.pattern).join('|'), 'giu') : undefined;
  }

  /** The text with every spelling of the person replaced by {@link erasedText}. */
  redactText(text: string): string {
    if (this.#pattern === undefined) return text;
    return text.replace(this.#pattern, erasedText);
  }

  /** Whether the text holds a spelling of the person. */
  inText(text: string): boolean {
    if (this.#pattern === undefined) return false;
    this.#pattern.lastIndex = 0;
    const found = this.#pattern.test(text);
    this.#pattern.lastIndex = 0;
    return found;
  }
}

/**
 * Rewrites JSON values so that they hold nothing of the person: strings are
 * redacted, and in a snapshot of a record whose fields the erasure wiped (an
 * object with that record's `tenantId` and `id`, as events and workflow
 * contexts carry them) those fields take their wiped value. The rest of a
 * snapshot stays as it was then: history keeps its statuses and amounts.
 */
export class Redactor {
  constructor(
    readonly identifiers: PersonalIdentifiers,
    /** Per record id, the fields the erasure wiped whole and the value each got. */
    readonly wiped: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map(),
  ) {}

  /** The value without the person (the same value when there was nothing to change). */
  redact<T>(value: T): T {
    return this.#walk(value) as T;
  }

  /**
   * Field changes (audit entries, `*.updated` events) of a record: the
   * values of wiped fields become the wiped value, the others are redacted.
   */
  redactChanges(recordId: string, changes: unknown): unknown {
    const wipe = this.wiped.get(recordId);
    if (!wipe || !Array.isArray(changes)) return this.redact(changes);
    return changes.map((change: unknown) => {
      if (change === null || typeof change !== 'object') return this.redact(change);
      const c = change as { field?: unknown; from?: unknown; to?: unknown };
      if (typeof c.field !== 'string' || !Object.hasOwn(wipe, c.field)) return this.redact(change);
      const value = wipe[c.field];
      return { ...c, from: c.from === null ? null : value, to: c.to === null ? null : value };
    });
  }

  /** Whether the value mentions the person: a spelling of them, their id or the id of one of their records. */
  mentions(value: unknown): boolean {
    if (typeof value === 'string') return this.identifiers.ids.has(value) || this.identifiers.inText(value);
    if (value === null || typeof value !== 'object') return false;
    if (Array.isArray(value)) return value.some((v) => this.mentions(v));
    for (const key in value) if (this.mentions((value as Record<string, unknown>)[key])) return true;
    return false;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.identifiers.redactText(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const out = value.map((v) => this.#walk(v));
      return out.some((v, i) => v !== value[i]) ? out : value;
    }
    const record = value as Record<string, unknown>;
    const wipe = typeof record.id === 'string' && 'tenantId' in record ? this.wiped.get(record.id) : undefined;
    // `{ record, changes }` (every `*.updated` payload): the changes of a wiped record lose the wiped values too.
    const subject = record.record as { id?: unknown } | null | undefined;
    const changesOf = typeof subject === 'object' && subject !== null && typeof subject.id === 'string' && Array.isArray(record.changes) ? subject.id : undefined;
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      const next =
        wipe && Object.hasOwn(wipe, key) ? wipe[key] : key === 'changes' && changesOf !== undefined ? this.redactChanges(changesOf, item) : this.#walk(item);
      if (next !== item && JSON.stringify(next) !== JSON.stringify(item)) changed = true;
      out[key] = next;
    }
    return changed ? out : value;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
