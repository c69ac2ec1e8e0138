import type { AuditChange } from '../audit/audit.schema.js';
import type { Company } from '../companies/company.schema.js';
import type { Contact } from '../contacts/contact.schema.js';
import type { Deal } from '../deals/deal.schema.js';
import type { StageChange } from '../deals/stage-history.js';
import type { Interaction } from '../interactions/interaction.schema.js';
import type { Member, Team } from '../members/member.schema.js';
import type { Pipeline } from '../pipelines/pipeline.schema.js';
import type { Product } from '../products/product.schema.js';
import type { Task } from '../tasks/task.schema.js';

/** Payload of every `*.updated` event. */
export interface Updated<T> {
  /** The record after the change. */
  record: T;
  /** Which fields changed, from what to what. */
  changes: AuditChange[];
}

/** Payload of every `*.deleted` event. */
export interface Deleted<T> {
  /** The record as it was before deletion. */
  record: T;
}

/** Every domain event by name, with its payload (`data`). */
export interface CrmEventMap {
  'member.created': { record: Member };
  'member.updated': Updated<Member>;
  'team.created': { record: Team };
  'team.updated': Updated<Team>;
  'team.deleted': Deleted<Team>;
  'company.created': { record: Company };
  'company.updated': Updated<Company>;
  'company.deleted': Deleted<Company>;
  'contact.created': { record: Contact };
  'contact.updated': Updated<Contact>;
  'contact.deleted': Deleted<Contact>;
  'product.created': { record: Product };
  'product.updated': Updated<Product>;
  'product.deleted': Deleted<Product>;
  'pipeline.created': { record: Pipeline };
  'pipeline.updated': { record: Pipeline };
  'deal.created': { record: Deal };
  'deal.updated': Updated<Deal>;
  'deal.deleted': Deleted<Deal>;
  /** The deal moved between stages (also fired, with `won`/`lost`, when it closes). */
  'deal.stageChanged': { record: Deal; change: StageChange };
  'deal.won': { record: Deal };
  'deal.lost': { record: Deal; reason: string | null };
  'deal.contactAdded': { record: Deal; contactId: string; role: string | null };
  /** A linked contact's role on the deal changed (see `deals.addContact`). */
  'deal.contactRoleChanged': { record: Deal; contactId: string; role: string | null; previousRole: string | null };
  'deal.contactRemoved': { record: Deal; contactId: string };
  'interaction.logged': { record: Interaction };
  'interaction.updated': Updated<Interaction>;
  'interaction.deleted': Deleted<Interaction>;
  'task.created': { record: Task };
  'task.updated': Updated<Task>;
  'task.completed': { record: Task };
  /** The task's `remindAt` is due (emitted once per `remindAt` by `crm.deliverReminders()`; not for closed tasks). */
  'task.reminderDue': { record: Task };
}

/** The name of a domain event. */
export type CrmEventName = keyof CrmEventMap;

/** A domain event as recorded in the outbox and heard by listeners. */
export interface CrmEvent<K extends CrmEventName = CrmEventName> {
  /** Sortable unique id; consumers can resume after it. */
  id: string;
  /** Event name. */
  type: K;
  /** The tenant it happened in. */
  tenantId: string;
  /** The member who caused it, when the tenant scope names one. */
  actorId: string | null;
  /** ISO UTC timestamp. */
  occurredAt: string;
  /**
   * The payload. Listeners in the process get it as written; read back from
   * the outbox (triggers), amounts beyond 2^53 minor units are decimal strings.
   */
  data: CrmEventMap[K];
}

/** A listener of one event type; it may be async (a rejection is reported to `onListenerError`, like a throw). */
export type CrmEventListener<K extends CrmEventName> = (event: CrmEvent<K>) => unknown;
