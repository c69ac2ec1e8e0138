import { assetModel } from '../assets/asset.model.js';
import { AssetsService } from '../assets/assets.service.js';
import { caseModel } from '../cases/case.model.js';
import { CasesService } from '../cases/cases.service.js';
import { caseStatuses } from '../cases/case-values.js';
import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { companyEntity } from '../companies/company.entity.js';
import { contactEntity } from '../contacts/contact.entity.js';
import type { Contact } from '../contacts/contact.schema.js';
import { dealEntity } from '../deals/deal.entity.js';
import type { Deal } from '../deals/deal.schema.js';
import { dealContactModel } from '../deals/deal.model.js';
import { orderModel } from '../orders/order.model.js';
import { OrdersService } from '../orders/orders.service.js';
import { orderStatuses } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';
import { surveyEntity } from '../surveys/survey.entity.js';
import type { Survey } from '../surveys/survey.schema.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { coverageOfAssets } from './asset-coverage.js';
import { slaStateOf } from './case-sla-state.js';
import { type RfmScoresOptions, type RfmScoresRefresh, refreshRfmScores, storedRfmScore } from './rfm-scores.js';
import {
  type CustomerView, type CustomerViewOptions, customerViewOptionsSchema, type LifetimeValue, type OrderSummary, type SatisfactionSummary, type Slice,
} from './customer-view.schema.js';

/** Orders that count towards what a customer spent: neither cancelled nor returned. */
const spentStatuses = orderStatuses.filter((s) => s !== 'cancelled' && s !== 'returned');
const openCaseStatuses = caseStatuses.filter((s) => s !== 'resolved' && s !== 'closed');

/**
 * The 360-degree customer view: one call that gathers what a customer page
 * shows, from every service, in a fixed number of queries (at most 18) however
 * many orders, assets, cases or deals the customer has: lists are read up to
 * their limit by index, totals are counts, lifetime value is one aggregate,
 * and asset coverage is two queries for all assets. Reached as
 * `crm.tenant(id).customers`.
 */
export class CustomersService {
  readonly #ctx: TenantContext;
  readonly #contacts: EntityStore<NonNullable<(typeof contactEntity.model)['rowType']>, Contact>;

  /** @internal */
  constructor(ctx: TenantContext) {
    this.#ctx = ctx;
    this.#contacts = new EntityStore(ctx, contactEntity);
  }

  /**
   * Everything about a contact: profile (demographics, preferences, company),
   * open deals, latest orders with lifetime value per currency, assets with
   * their coverage today, open cases with their SLA state now, latest
   * satisfaction, its stored RFM scores, and the first page of the merged timeline. The reads are not
   * one snapshot: a write landing meanwhile may show in one part only.
   * @throws {ValidationError} for a malformed id or options @throws {NotFoundError} when the tenant has no such contact
   * @example
   * const view = await t.customers.view(ada.id, { orders: 5 });
   * view.orders.lifetimeValue; // [{ minor: 129_800, currency: 'EUR', orders: 2 }]
   * view.openCases.items.filter((c) => c.breached);
   */
  async view(contactId: string, options?: CustomerViewOptions): Promise<CustomerView> {
    const id = parseInput(idSchema, contactId, 'contact id');
    const limits = parseInput(customerViewOptionsSchema, options, 'customer view options');
    const ctx = this.#ctx;
    const contact = await this.#contacts.get(id);
    const now = ctx.now();
    const [company, openDeals, orders, assets, openCases, lastAnswer, timeline, rfm] = await Promise.all([
      contact.companyId === null ? null : new EntityStore(ctx, companyEntity).find(contact.companyId),
      this.#openDeals(id, limits.deals),
      this.#orders(id, limits.orders),
      this.#assets(id, limits.assets, now.slice(0, 10)),
      this.#openCases(id, limits.cases, now),
      this.#lastAnswer(id),
      new TimelineService(ctx).forContact(id, { limit: limits.timeline }),
      storedRfmScore(ctx, id),
    ]);
    return {
      contact,
      company: company ?? null,
      demographics: { birthDate: contact.birthDate, occupation: contact.occupation, familyStatus: contact.familyStatus, city: contact.city, country: contact.country },
      preferences: { preferredChannel: contact.preferredChannel, productInterests: contact.productInterests, consent: contact.consent },
      openDeals, orders, assets, openCases,
      satisfaction: satisfactionOf(contact, lastAnswer),
      rfm,
      timeline,
    };
  }

  /**
   * Recomputes the tenant's RFM scores (`reports.rfm`, same options and
   * method) and stores them, one row per scored customer, replacing the
   * previous refresh's in one transaction: a customer who no longer qualifies
   * (no counted order before the reference date) loses its row. Segments
   * filter on them with `{ metric: 'rfm' }`; `view` shows them. Memory holds
   * one page of the report (`batchSize`); no event is emitted per customer.
   * Schedule it before the segments that read it refresh.
   * @throws {ValidationError} for invalid options, or orders in several currencies without `currency`
   * @throws {DuplicateError} inside a host transaction (`crm.transaction`) when a concurrent refresh of the tenant wrote first (outside one it runs again)
   * @example
   * const { scored, referenceDate } = await t.customers.refreshRfmScores({ currency: 'EUR' });
   * await t.segments.refresh(champions.id); // rule: { $metric: { metric: 'rfm', segment: ['champions'] } }
   */
  async refreshRfmScores(options?: RfmScoresOptions): Promise<RfmScoresRefresh> {
    return refreshRfmScores(this.#ctx, options);
  }

  async #openDeals(contactId: string, limit: number): Promise<Slice<Deal>> {
    const { storage, tenantId } = this.#ctx;
    // A semi-join: a contact may be on thousands of deals.
    const where: Where = { status: 'open', id: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId } } } };
    const [rows, total] = await Promise.all([
      limit === 0 ? [] : storage.findMany({ model: dealEntity.model, tenantId, where, orderBy: [{ field: 'createdAt', direction: 'desc' }], limit }),
      storage.count({ model: dealEntity.model, tenantId, where }),
    ]);
    return { items: rows.map((row) => dealEntity.toRecord(row)), total };
  }

  async #orders(contactId: string, limit: number): Promise<OrderSummary> {
    const { storage, tenantId } = this.#ctx;
    const [latest, groups] = await Promise.all([
      limit === 0 ? { items: [] } : new OrdersService(this.#ctx).ofCustomer({ contactId }, { limit }),
      storage.aggregate({
        model: orderModel, tenantId, where: { contactId }, groupBy: ['currency'],
        metrics: {
          orders: { fn: 'count' },
          spentOrders: { fn: 'count', filter: { status: { in: spentStatuses } } },
          spent: { fn: 'sum', field: 'totalMinor', filter: { status: { in: spentStatuses } } },
          first: { fn: 'min', field: 'placedAt' },
          last: { fn: 'max', field: 'placedAt' },
        },
      }),
    ]);
    const lifetimeValue: LifetimeValue[] = groups
      .filter((g) => Number(g.spentOrders) > 0)
      .map((g) => ({ minor: g.spent as number | bigint, currency: g.currency as string, orders: Number(g.spentOrders) }))
      .sort((a, b) => (BigInt(b.minor) > BigInt(a.minor) ? 1 : BigInt(b.minor) < BigInt(a.minor) ? -1 : a.currency < b.currency ? -1 : 1));
    const times = (key: 'first' | 'last') => groups.map((g) => g[key] as string | null).filter((t): t is string => t !== null).sort();
    return {
      latest: latest.items,
      count: groups.reduce((n, g) => n + Number(g.orders), 0),
      lifetimeValue,
      firstOrderAt: times('first')[0] ?? null,
      lastOrderAt: times('last').at(-1) ?? null,
    };
  }

  async #assets(contactId: string, limit: number, day: string): Promise<CustomerView['assets']> {
    const { storage, tenantId } = this.#ctx;
    const [page, total] = await Promise.all([
      limit === 0 ? { items: [] } : new AssetsService(this.#ctx).ofCustomer({ contactId }, { limit }),
      storage.count({ model: assetModel, tenantId, where: { contactId } }),
    ]);
    return { items: await coverageOfAssets(this.#ctx, page.items, day), total };
  }

  async #openCases(contactId: string, limit: number, now: string): Promise<CustomerView['openCases']> {
    const { storage, tenantId } = this.#ctx;
    const where: Where = { contactId, status: { in: openCaseStatuses } };
    const [page, total] = await Promise.all([
      limit === 0 ? { items: [] } : new CasesService(this.#ctx).list({ where, orderBy: { openedAt: 'desc' }, limit }),
      storage.count({ model: caseModel, tenantId, where }),
    ]);
    return { items: page.items.map((c) => slaStateOf(c, now)), total };
  }

  async #lastAnswer(contactId: string): Promise<Survey | null> {
    const [row] = await this.#ctx.storage.findMany({
      model: surveyEntity.model, tenantId: this.#ctx.tenantId, where: { contactId, status: 'answered' },
      orderBy: [{ field: 'answeredAt', direction: 'desc' }], limit: 1,
    });
    return row === undefined ? null : surveyEntity.toRecord(row);
  }
}

/** The contact's latest NPS and CSAT, as `surveys.respond` keeps them on the contact. */
function satisfactionOf(contact: Contact, lastAnswer: Survey | null): SatisfactionSummary {
  return {
    nps: contact.satisfaction === null ? null : { score: contact.satisfaction, at: contact.satisfactionAt },
    csat: contact.csat === null ? null : { score: contact.csat, at: contact.csatAt },
    lastAnswer,
  };
}
