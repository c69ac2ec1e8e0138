import type { AuditChange } from '../audit/audit.schema.js';
import type { Company } from '../companies/company.schema.js';
import type { Contact } from '../contacts/contact.schema.js';
import type { Deal } from '../deals/deal.schema.js';
import type { StageChange } from '../deals/stage-history.js';
import type { Interaction } from '../interactions/interaction.schema.js';
import type { Member, Team } from '../members/member.schema.js';
import type { Pipeline } from '../pipelines/pipeline.schema.js';
import type { Product } from '../products/product.schema.js';
import type { Order } from '../orders/order.schema.js';
import type { OrderStatus } from '../orders/order-status.js';
import type { Asset, AssetStatus } from '../assets/asset.schema.js';
import type { Contract, ContractStatus } from '../contracts/contract.schema.js';
import type { Survey } from '../surveys/survey.schema.js';
import type { Segment, SegmentMembershipChange } from '../segments/segment.schema.js';
import type { Case } from '../cases/case.schema.js';
import type { CaseStatus, SlaTargetName } from '../cases/case-values.js';
import type { Task } from '../tasks/task.schema.js';
import type { Campaign, CampaignStatus } from '../campaigns/campaign.schema.js';
import type { CampaignMember, CampaignMemberStatus } from '../campaigns/campaign-member.schema.js';
import type { Role } from '../access/role.entity.js';
import type { Share } from '../access/share.schema.js';

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
  'order.created': { record: Order };
  'order.updated': Updated<Order>;
  'order.statusChanged': { record: Order; from: OrderStatus; to: OrderStatus };
  'asset.created': { record: Asset };
  'asset.updated': Updated<Asset>;
  /** Also for the old asset of `assets.replace` (`to: 'replaced'`). */
  'asset.statusChanged': { record: Asset; from: AssetStatus; to: AssetStatus };
  /** Also for the warranty an asset's creation makes, and the next contract of a renewal. */
  'contract.created': { record: Contract };
  'contract.updated': Updated<Contract>;
  'contract.statusChanged': { record: Contract; from: ContractStatus; to: ContractStatus };
  /** `record` is the old contract (now `renewed`), `next` the one that renews it. */
  'contract.renewed': { record: Contract; next: Contract };
  'survey.sent': { record: Survey };
  'survey.reminded': { record: Survey };
  'survey.answered': { record: Survey };
  /** The answer is a detractor's (CSAT <= 2, NPS <= 6); the survey's `onDetractor` says what was done about it. */
  'survey.detractor': { record: Survey };
  'survey.expired': { record: Survey };
  'segment.created': { record: Segment };
  'segment.updated': Updated<Segment>;
  'segment.deleted': Deleted<Segment>;
  /** A contact entered a segment: found by `segments.refresh`, or added to a static list. */
  'segment.entered': SegmentMembershipChange;
  /** A contact left a segment: no longer matched by `segments.refresh` (or deleted), or removed from a static list. */
  'segment.left': SegmentMembershipChange;
  'case.created': { record: Case };
  'case.updated': Updated<Case>;
  'case.statusChanged': { record: Case; from: CaseStatus; to: CaseStatus };
  /** The owner (agent) or team changed (`cases.assign`). */
  'case.assigned': { record: Case };
  /** An agent responded (`cases.respond`); `first` for the case's first response. */
  'case.responded': { record: Case; interactionId: string; first: boolean };
  /** The customer wrote (`cases.addCustomerMessage`, `cases.ingest` threading onto the case). */
  'case.customerMessage': { record: Case; interactionId: string };
  /** A due time of the case changed: paused, resumed, reached or retargeted. Timers of the old due times are stale. */
  'case.slaChanged': { record: Case };
  /** A warning timer fired for a due time the case still has (`cases.recordSlaEvent`). */
  'case.slaWarning': { record: Case; target: SlaTargetName; dueAt: string };
  /** A breach timer fired for a due time the case still has (`cases.recordSlaEvent`). */
  'case.slaBreached': { record: Case; target: SlaTargetName; dueAt: string };
  'case.resolved': { record: Case };
  'case.closed': { record: Case };
  'case.reopened': { record: Case };
  'campaign.created': { record: Campaign };
  'campaign.updated': Updated<Campaign>;
  'campaign.statusChanged': { record: Campaign; from: CampaignStatus; to: CampaignStatus };
  /** A contact became a member (`campaigns.enroll`); one event per new member, none for a contact enrolled already. */
  'campaign.memberEnrolled': { record: CampaignMember };
  /** A member moved forward (`markSent`, `setMemberStatus`, `recordResponse`). */
  'campaign.memberStatusChanged': { record: CampaignMember; from: CampaignMemberStatus; to: CampaignMemberStatus };
  /** Contacts were merged into a survivor (`duplicates.merge`); `relinked` counts the references moved, by `model.field`. */
  'contact.merged': { survivorId: string; mergedIds: string[]; relinked: Record<string, number> };
  /** Companies were merged into a survivor (`duplicates.merge`), as `contact.merged`. */
  'company.merged': { survivorId: string; mergedIds: string[]; relinked: Record<string, number> };
  /** `privacy.erase` anonymised a contact (no personal data in the payload: see the erasure record). */
  'contact.erased': { contactId: string; erasureId: string };
  'role.created': { record: Role };
  'role.updated': Updated<Role>;
  'role.deleted': Deleted<Role>;
  /** A record was shared with a member or a team, or an existing share's access changed (`shares.grant`). */
  'share.granted': { record: Share };
  /** A share was taken back (`shares.revoke`); not emitted for the shares removed with their record. */
  'share.revoked': { record: Share };
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
