import type { Company, Contact, Deal, TenantScope } from '@crmkit/core';
import { listAll } from '../../../demo/import-rows.js';
import { inBatches } from './batches.js';
import { exampleDomain, person } from './people.js';

/** People per company: enough for a contact page with a few deals, few enough to read. */
const contactsPerCompany = 2;

/** What {@link seedContacts} made. */
export interface SeededContacts {
  /** The contacts of each company, by company id. */
  byCompany: Map<string, Contact[]>;
  contacts: number;
  /** Deals that got a contact (every deal with a company). */
  dealsLinked: number;
}

/**
 * Gives every imported company its people and every deal with a company one
 * of them: the dataset names accounts but nobody to call, while the contact
 * page, orders (a won deal's first contact is the customer) and RFM need
 * people. Deals alternate between their company's contacts.
 */
export async function seedContacts(t: TenantScope, companies: readonly Company[]): Promise<SeededContacts> {
  const inputs = companies.flatMap((company, c) =>
    Array.from({ length: contactsPerCompany }, (_, i) => {
      const { firstName, lastName, title } = person(c * contactsPerCompany + i);
      return {
        firstName, lastName, title, companyId: company.id, lifecycleStage: 'customer' as const, source: 'seed',
        email: `${firstName}.${lastName}@${exampleDomain(company.name)}`.toLowerCase(),
      };
    }));
  const created = await t.contacts.createMany(inputs);
  const byCompany = new Map<string, Contact[]>();
  for (const contact of created) byCompany.set(contact.companyId!, [...(byCompany.get(contact.companyId!) ?? []), contact]);

  const deals = (await listAll<Deal>((o) => t.deals.list(o))).filter((deal) => deal.companyId !== null && deal.contactIds.length === 0);
  await inBatches(t, deals.map((deal, i) => ({ deal, i })), 200, (tt, { deal, i }) => {
    const people = byCompany.get(deal.companyId!)!;
    return tt.deals.addContact(deal.id, people[i % people.length]!.id, { role: 'decision maker' });
  });
  return { byCompany, contacts: created.length, dealsLinked: deals.length };
}
