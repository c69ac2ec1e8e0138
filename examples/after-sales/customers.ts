import type { Asset, Company, Contact, Contract, Order, TenantScope } from '@crmkit/core';
import type { Catalogue } from './catalogue.js';
import type { ServiceOrg } from './service-org.js';

/** The customers of the scenario, what they bought and what covers it. */
export interface Customers {
  /** A hotel with twelve hubs under a maintenance contract that ends on 8 January. */
  hotel: { company: Company; petra: Contact; order: Order; hubs: Asset[]; maintenance: Contract };
  /** A consumer whose camera's cloud plan ends on 5 January; he lets it lapse. */
  jonas: { contact: Contact; order: Order; cam: Asset; cloudPlan: Contract };
  /** A consumer whose camera's warranty ran out in October. */
  max: { contact: Contact; order: Order; cam: Asset };
  /** A consumer whose hub, bought in June, is under warranty. */
  lea: { contact: Contact; order: Order; hub: Asset };
}

/** A unit sold on the order's first line, as an asset (with its warranty when the product has one). */
async function unitOf(t: TenantScope, order: Order, serialNumber: string, location?: string): Promise<Asset> {
  const [line] = await t.orders.lines(order.id);
  if (!line?.productId) throw new Error(`Order ${order.number} has no product line`);
  return t.assets.create({ productId: line.productId, serialNumber, orderLineId: line.id, ...(location ? { location } : {}) });
}

/**
 * Creates the customers with their purchase history: orders placed over the
 * last two years (fulfilled), the units sold as assets with their warranties,
 * a maintenance contract and a cloud-plan subscription.
 */
export async function createCustomers(t: TenantScope, catalogue: Catalogue, org: ServiceOrg): Promise<Customers> {
  const { hub, cam, cloudPlan } = catalogue;
  const company = await t.companies.create({ name: 'Hotel Seeblick', domain: 'seeblick-hotel.de', city: 'Konstanz', country: 'DE' });
  const petra = await t.contacts.create({ firstName: 'Petra', lastName: 'Lang', title: 'Facility Manager', email: 'petra.lang@seeblick-hotel.de', companyId: company.id });
  const hotelOrder = await t.orders.create({
    number: 'SO-1001', companyId: company.id, contactId: petra.id, channel: 'phone', status: 'fulfilled', placedAt: '2025-01-09T10:00:00Z',
    currency: 'EUR', lines: [{ productId: hub.id, quantity: 12, discountMinor: 240_00 }], externalId: 'shop-SO-1001',
  });
  const serials = Array.from({ length: 12 }, (_, i) => `LH-25-${String(i + 1).padStart(4, '0')}`);
  const hubs: Asset[] = [];
  for (const serial of serials) hubs.push(await unitOf(t, hotelOrder, serial, 'Hotel Seeblick, guest floors'));
  const maintenance = await t.contracts.create({
    name: 'Seeblick maintenance 2026', kind: 'maintenance', companyId: company.id, contactId: petra.id, assetIds: hubs.map((a) => a.id),
    coverage: { caseTypes: null, responseMinutes: 60, resolutionMinutes: 480, visitsIncluded: 2 },
    startDate: '2026-01-09', endDate: '2027-01-08', price: { minor: 1_800_00, currency: 'EUR' }, status: 'active', ownerId: org.accounts.id,
  });

  const jonas = await t.contacts.create({ firstName: 'Jonas', lastName: 'Weber', phone: '+49 151 2345678' });
  const jonasOrder = await t.orders.create({
    number: 'W-5520', contactId: jonas.id, channel: 'web', status: 'fulfilled', placedAt: '2025-12-20T18:30:00Z', currency: 'EUR',
    lines: [{ productId: cam.id }, { productId: cloudPlan.id }], externalId: 'shop-W-5520',
  });
  const jonasCam = await unitOf(t, jonasOrder, 'LC-25-7781');
  const jonasPlan = await t.contracts.create({
    name: 'Cloud plan of Jonas Weber', kind: 'subscription', contactId: jonas.id, assetIds: [jonasCam.id], productIds: [cloudPlan.id],
    startDate: '2026-01-06', endDate: '2027-01-05', price: { minor: 59_00, currency: 'EUR' }, status: 'active', ownerId: org.accounts.id,
  });

  const max = await t.contacts.create({ firstName: 'Max', lastName: 'Braun', email: 'max.braun@example.de' });
  const maxOrder = await t.orders.create({
    number: 'W-4410', contactId: max.id, channel: 'marketplace', status: 'fulfilled', placedAt: '2025-10-02T09:15:00Z', currency: 'EUR',
    lines: [{ productId: cam.id }], externalId: 'shop-W-4410',
  });
  const maxCam = await unitOf(t, maxOrder, 'LC-25-3302');

  const lea = await t.contacts.create({ firstName: 'Lea', lastName: 'Fischer', email: 'lea.fischer@example.de' });
  const leaOrder = await t.orders.create({
    number: 'W-6120', contactId: lea.id, channel: 'web', status: 'fulfilled', placedAt: '2026-06-15T16:40:00Z', currency: 'EUR',
    lines: [{ productId: hub.id }], externalId: 'shop-W-6120',
  });
  const leaHub = await unitOf(t, leaOrder, 'LH-26-1042', 'Home office');

  return {
    hotel: { company, petra, order: hotelOrder, hubs, maintenance },
    jonas: { contact: jonas, order: jonasOrder, cam: jonasCam, cloudPlan: jonasPlan },
    max: { contact: max, order: maxOrder, cam: maxCam },
    lea: { contact: lea, order: leaOrder, hub: leaHub },
  };
}
