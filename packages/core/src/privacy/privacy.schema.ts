import { z } from 'zod';
import type { AuditEntry } from '../audit/audit.schema.js';
import type { CampaignMember } from '../campaigns/campaign-member.schema.js';
import type { Case, CaseActivity } from '../cases/case.schema.js';
import type { Company } from '../companies/company.schema.js';
import type { Contact, ContactChannel } from '../contacts/contact.schema.js';
import type { Contract } from '../contracts/contract.schema.js';
import type { Deal } from '../deals/deal.schema.js';
import type { Interaction } from '../interactions/interaction.schema.js';
import type { Order, OrderLine } from '../orders/order.schema.js';
import type { Asset } from '../assets/asset.schema.js';
import type { Survey } from '../surveys/survey.schema.js';
import type { Task } from '../tasks/task.schema.js';

/** A consent value on one channel. */
export type ConsentValue = 'granted' | 'denied';

/** One change of a contact's consent on one channel (`privacy.consentHistory`). */
export interface ConsentChange {
  /** Sortable unique id. */
  id: string;
  /** The contact. */
  contactId: string;
  /** The channel whose consent changed. */
  channel: ContactChannel;
  /** The consent before (`null`: none recorded). */
  from: ConsentValue | null;
  /** The consent after (`null`: removed). */
  to: ConsentValue | null;
  /** ISO UTC timestamp of the write that changed it. */
  at: string;
  /** Where the change came from: the `source` option of `contacts.create` / `update` (`'web-form'`), `'api'` by default, `'erasure'` for `privacy.erase`. */
  source: string;
  /** The member whose scope made the change, if any. */
  actorId: string | null;
}

/** Options of `contacts.create`, `createMany` and `update` that say where a consent change came from. */
export interface ConsentSourceOption {
  /**
   * Where the write came from, recorded with every consent change it makes
   * (`'web-form'`, `'import'`, `'support-call'`): 1 to 100 characters. Do not put personal data in it.
   * @default 'api'
   */
  source?: string;
}

/** Schema of {@link ConsentSourceOption.source}. */
export const consentSourceSchema = z.string().trim().min(1).max(100).optional().default('api');

/** What an erasure did (`privacy.erase`): kept for good, holds no personal data. */
export interface ErasureRecord {
  /** Sortable unique id. */
  id: string;
  /** The tenant. */
  tenantId: string;
  /** The erased contact (the row stays, anonymised). */
  contactId: string;
  /** ISO UTC timestamp of the erasure. */
  erasedAt: string;
  /** Why (a ticket number, `'GDPR art. 17 request'`). */
  reason: string | null;
  /** Who asked (a ticket or requester reference, not the person's data). */
  requestedBy: string | null;
  /** The member whose scope erased, if any. */
  actorId: string | null;
  /** Rows scrubbed, by table (`crm_interaction: 3`); tables with none are left out. */
  counts: Record<string, number>;
}

/** Options of `privacy.erase`. */
export interface EraseOptions {
  /** Why the data is erased: at most 500 characters, no personal data. */
  reason?: string;
  /** Who asked for it: at most 200 characters, a reference rather than personal data. */
  requestedBy?: string;
}

/** Schema of {@link EraseOptions}. */
export const eraseOptionsSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional(), requestedBy: z.string().trim().min(1).max(200).optional() })
  .optional()
  .default({});

/** An outbox event about the person, as the export shows it. */
export interface ExportedEvent {
  id: string;
  type: string;
  actorId: string | null;
  occurredAt: string;
  data: unknown;
}

/** A segment the person is a member of. */
export interface SegmentMembership {
  segmentId: string;
  segmentName: string | null;
  addedAt: string;
}

/**
 * Everything crmkit holds about one person (`privacy.export`), as one
 * JSON-safe document (money beyond 2^53 as decimal strings): what a data
 * subject access request answers with. Every section is an array, empty when
 * there is nothing; `extensions` holds what extensions registered with
 * `createCrm({ personalData })` hold (workflows: instances, steps, jobs).
 */
export interface PersonalDataExport {
  /** The document's format and version. */
  format: 'crmkit.personal-data.v1';
  /** ISO UTC timestamp of the export. */
  exportedAt: string;
  tenantId: string;
  contactId: string;
  contact: Contact;
  /** The contact's company, if any. */
  company: Company | null;
  /** Deals the contact is on. */
  deals: Deal[];
  /** Orders of the contact, and their lines. */
  orders: Order[];
  orderLines: OrderLine[];
  assets: Asset[];
  contracts: Contract[];
  cases: Case[];
  /** History of those cases (status changes, messages, SLA events). */
  caseActivity: CaseActivity[];
  /** The contact's timeline: interactions it takes part in, and those of its cases. */
  interactions: Interaction[];
  /** Tasks linked to the contact or to one of its deals, cases, orders, assets or contracts. */
  tasks: Task[];
  /** Surveys sent to the contact, with answers. */
  surveys: Survey[];
  campaignMemberships: CampaignMember[];
  segmentMemberships: SegmentMembership[];
  consentHistory: ConsentChange[];
  /** Audit entries of the contact and of the records above, and those that mention the contact. */
  auditEntries: AuditEntry[];
  /** Outbox events that mention the contact or one of the records above. */
  events: ExportedEvent[];
  /** Earlier erasures of the contact. */
  erasures: ErasureRecord[];
  /** Sections of extensions, by handler name (`workflows`). */
  extensions: Record<string, unknown>;
}
