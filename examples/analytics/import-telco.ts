import type { TenantScope } from '@crmkit/core';
import { importBatches } from './batches.js';
import { planContract, termMonths } from './telco-contract.js';
import type { TelcoCustomer } from './telco-data.js';

/** What {@link importTelco} created (or found from an earlier run). */
export interface TelcoImport {
  customers: number;
  contracts: number;
  existing: { customers: number; contracts: number };
  /** Contact id per Telco customer id. */
  contactIds: Map<string, string>;
}

/** The contact's external id: `telco-7590-VHVEG`. */
export const telcoContactId = (customerId: string): string => `telco-${customerId}`;
/** The contract's external id: `telco-contract-7590-VHVEG`. */
export const telcoContractId = (customerId: string): string => `telco-contract-${customerId}`;

/**
 * Imports Telco customers: a contact each (`customer`, or `churned` for those
 * who left), with the host's churn features in `custom` (monthly charges,
 * term length, senior citizen, paperless billing, fibre), and one contract
 * each as {@link planContract} derives it: created active, then renewed,
 * lapsed (`expired`) or cancelled. The contract name is the Telco term
 * (`Month-to-month`...), its price the monthly charge. Idempotent through
 * external ids (a renewal is made with its contract, in one transaction).
 * @throws {Error} when the crm refuses a record (the whole batch rolls back)
 * @example
 * const result = await importTelco(crm.tenant('telco'), await readTelco('examples/data/telco-churn'));
 */
export async function importTelco(
  t: TenantScope,
  customers: readonly TelcoCustomer[],
  onProgress?: (done: number, total: number) => void,
): Promise<TelcoImport> {
  const contacts = await importBatches(t, {
    rows: customers,
    records: t.contacts,
    externalId: (c) => telcoContactId(c.customerId),
    create: async (tt, rows) => {
      const made = await tt.contacts.createMany(rows.map((c) => ({
        firstName: 'Telco customer', lastName: c.customerId, source: 'telco', externalId: telcoContactId(c.customerId),
        lifecycleStage: c.churned ? ('churned' as const) : ('customer' as const),
        custom: {
          monthlyCharges: c.monthlyMinor / 100, termMonths: termMonths[c.term], seniorCitizen: c.seniorCitizen,
          paperlessBilling: c.paperlessBilling, fiberOptic: c.internetService === 'Fiber optic',
        },
      })));
      return made.map((c) => c.id);
    },
  });
  const contactIds = new Map(customers.map((c) => [c.customerId, contacts.ids.get(telcoContactId(c.customerId))!]));
  const contracts = await importBatches(t, {
    rows: customers,
    records: t.contracts,
    externalId: (c) => telcoContractId(c.customerId),
    onProgress,
    create: async (tt, rows) => {
      const ids: string[] = [];
      for (const c of rows) {
        const plan = planContract(c);
        const contract = await tt.contracts.create({
          name: c.term, kind: plan.kind, contactId: contactIds.get(c.customerId)!, status: 'active',
          startDate: plan.startDate, endDate: plan.endDate, price: { minor: c.monthlyMinor, currency: 'USD' },
          externalId: telcoContractId(c.customerId),
        });
        if (plan.status === 'cancelled') await tt.contracts.cancel(contract.id);
        if (plan.status === 'expired') await tt.contracts.lapse(contract.id);
        if (plan.renewal) await tt.contracts.renew(contract.id, plan.renewal);
        ids.push(contract.id);
      }
      return ids;
    },
  });
  return {
    customers: customers.length, contracts: customers.length, contactIds,
    existing: { customers: contacts.existing, contracts: contracts.existing },
  };
}
