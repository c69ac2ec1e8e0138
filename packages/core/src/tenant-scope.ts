import { AuditService } from './audit/audit.service.js';
import { runUnit, TenantContext } from './common/context.js';
import { CompaniesService } from './companies/companies.service.js';
import { ContactsService } from './contacts/contacts.service.js';
import { DealsService } from './deals/deals.service.js';
import { TenantEvents } from './events/tenant-events.js';
import { InteractionsService } from './interactions/interactions.service.js';
import { MembersService } from './members/members.service.js';
import { TeamsService } from './members/teams.service.js';
import { PipelinesService } from './pipelines/pipelines.service.js';
import { ProductsService } from './products/products.service.js';
import { OrdersService } from './orders/orders.service.js';
import { AssetsService } from './assets/assets.service.js';
import { ContractsService } from './contracts/contracts.service.js';
import { ReportsService } from './reports/reports.service.js';
import { SurveysService } from './surveys/surveys.service.js';
import { SegmentsService } from './segments/segments.service.js';
import { CustomersService } from './customers/customers.service.js';
import { CasesService } from './cases/cases.service.js';
import { SlaPoliciesService } from './sla/sla-policies.service.js';
import { InsightsService } from './insights/insights.service.js';
import { TasksService } from './tasks/tasks.service.js';
import { TimelineService } from './timeline/timeline.service.js';
import { CampaignsService } from './campaigns/campaigns.service.js';
import { ImportsService } from './import/imports.service.js';
import { ExportsService } from './export/exports.service.js';
import { DuplicatesService } from './duplicates/duplicates.service.js';
import { PrivacyService } from './privacy/privacy.service.js';
import { guardFields } from './access/field-guard.js';
import { RolesService } from './access/roles.service.js';
import { SharesService } from './access/shares.service.js';

/**
 * Everything crmkit offers for one tenant. Every call through it reads and
 * writes that tenant's rows only. Made by `crm.tenant(id)`, or inside a
 * transaction by `tx.tenant(id)` (then every call joins that transaction).
 */
export class TenantScope {
  /** The tenant id. */
  readonly tenantId: string;
  /** The acting member, if any. */
  readonly actorId: string | null;
  /** Members: the host's users who own records. */
  readonly members: MembersService;
  /** Teams of members. */
  readonly teams: TeamsService;
  /** Companies (accounts). */
  readonly companies: CompaniesService;
  /** Contacts (people). */
  readonly contacts: ContactsService;
  /** The product catalogue. */
  readonly products: ProductsService;
  /** Pipelines and their stages. */
  readonly pipelines: PipelinesService;
  /** Deals in pipelines, with stage history. */
  readonly deals: DealsService;
  /** Orders with their lines: purchase history. */
  readonly orders: OrdersService;
  /** Assets: the products customers own. */
  readonly assets: AssetsService;
  /** Service contracts and warranties. */
  readonly contracts: ContractsService;
  /** Calls, emails, meetings and notes. */
  readonly interactions: InteractionsService;
  /** Tasks and each member's inbox. */
  readonly tasks: TasksService;
  /** Timelines of contacts, companies and deals. */
  readonly timeline: TimelineService;
  /** The audit trail. */
  readonly audit: AuditService;
  /** Reports, aggregated in the database. */
  readonly reports: ReportsService;
  /** Satisfaction surveys (CSAT, NPS) and their answers. */
  readonly surveys: SurveysService;
  /** Segments of contacts: saved rules with stored membership, and static lists. */
  readonly segments: SegmentsService;
  /** The 360-degree customer view. */
  readonly customers: CustomersService;
  /** Cases (service requests) with SLA clocks, history and multi-channel intake. */
  readonly cases: CasesService;
  /** SLA policies, in matching order. */
  readonly slaPolicies: SlaPoliciesService;
  /** Churn risk and next best offers, explainable, with held-out evaluation. */
  readonly insights: InsightsService;
  /** Marketing campaigns, their members, responses and attribution report. */
  readonly campaigns: CampaignsService;
  /** Imports of CSV and NDJSON files into any record entity, batched, resumable, with a per-row report. */
  readonly imports: ImportsService;
  /** Exports of records and segments as CSV or NDJSON, streamed a page at a time. */
  readonly exports: ExportsService;
  /** Duplicate contacts and companies: find, check before create, merge with relinking. */
  readonly duplicates: DuplicatesService;
  /** Data protection: a person's data exported or erased, and their consent history. */
  readonly privacy: PrivacyService;
  /** Subscriptions to this tenant's events, heard after commit. */
  readonly events: TenantEvents;
  /** Roles the tenant stores (beyond the code's and the built-ins), and what a member may do (`effective`). */
  readonly roles: RolesService;
  /** Records shared with a member or a team beyond what their roles grant. */
  readonly shares: SharesService;
  readonly #ctx: TenantContext;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
    this.tenantId = ctx.tenantId;
    this.actorId = ctx.actorId;
    this.members = new MembersService(ctx);
    this.teams = new TeamsService(ctx);
    this.companies = new CompaniesService(ctx);
    this.contacts = new ContactsService(ctx);
    this.products = new ProductsService(ctx);
    this.pipelines = new PipelinesService(ctx);
    this.deals = new DealsService(ctx);
    this.orders = new OrdersService(ctx);
    this.assets = new AssetsService(ctx);
    this.contracts = new ContractsService(ctx);
    this.interactions = new InteractionsService(ctx);
    this.tasks = new TasksService(ctx);
    this.timeline = new TimelineService(ctx);
    this.audit = new AuditService(ctx);
    this.reports = new ReportsService(ctx);
    this.surveys = new SurveysService(ctx);
    this.segments = new SegmentsService(ctx);
    this.customers = new CustomersService(ctx);
    this.cases = new CasesService(ctx);
    this.slaPolicies = new SlaPoliciesService(ctx);
    this.insights = new InsightsService(ctx);
    this.campaigns = new CampaignsService(ctx);
    this.imports = new ImportsService(ctx, (c) => new TenantScope(c));
    this.exports = new ExportsService(ctx);
    this.duplicates = new DuplicatesService(ctx);
    this.privacy = new PrivacyService(ctx);
    this.events = new TenantEvents(ctx.runtime, ctx.tenantId);
    this.roles = new RolesService(ctx);
    this.shares = new SharesService(ctx);
    guardFields(this, ctx);
  }

  /**
   * Runs several calls of this tenant (same actor) in one transaction, like
   * `crm.transaction` for one tenant: all commit when `fn` resolves, none when
   * it throws. Inside a transaction already, `fn` joins it.
   * @example
   * await t.transaction(async (tt) => {
   *   const deal = await tt.deals.create({ title: 'Renewal', pipelineId });
   *   await tt.deals.moveToStage(deal.id, 'negotiation');
   * });
   */
  async transaction<T>(fn: (scope: TenantScope) => Promise<T>): Promise<T> {
    const ctx = this.#ctx;
    if (ctx.unit) return fn(this);
    return runUnit(ctx.runtime, (u) => fn(new TenantScope(ctx.inUnit(u))));
  }
}
