import type { Product, TenantScope } from '@crmkit/core';

/** What the device maker sells. */
export interface Catalogue {
  /** The smart-home hub: two years of warranty. */
  hub: Product;
  /** The camera: one year of warranty. */
  cam: Product;
  /** The cloud recording plan for the camera, sold as a yearly subscription. */
  cloudPlan: Product;
}

const eur = (minor: number) => ({ minor, currency: 'EUR' });

/** Creates the catalogue; `warrantyMonths` makes `assets.create` add a warranty to every unit sold. */
export async function createCatalogue(t: TenantScope): Promise<Catalogue> {
  const hub = await t.products.create({ name: 'Lumen Hub', sku: 'LH-2', series: 'Hub', price: eur(199_00), warrantyMonths: 24 });
  const cam = await t.products.create({ name: 'Lumen Cam', sku: 'LC-1', series: 'Cam', price: eur(129_00), warrantyMonths: 12 });
  const cloudPlan = await t.products.create({ name: 'Lumen Cloud Plan (1 year)', sku: 'LCP-12', series: 'Cloud', price: eur(59_00) });
  return { hub, cam, cloudPlan };
}
