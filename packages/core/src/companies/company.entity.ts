import { defineEntity } from '../entities/entity.js';
import { companyModel } from './company.model.js';
import type { Company } from './company.schema.js';

type CompanyRow = NonNullable<(typeof companyModel)['rowType']>;

/** Maps the stored revenue columns onto the record's money object. */
function toCompany(row: CompanyRow): Company {
  const { annualRevenueMinor, annualRevenueCurrency, ...rest } = row;
  return {
    ...rest,
    annualRevenue: annualRevenueMinor === null || annualRevenueCurrency === null ? null : { minor: annualRevenueMinor, currency: annualRevenueCurrency },
  };
}

function toCompanyRow(company: Partial<Company>): Partial<CompanyRow> {
  const { annualRevenue, ...rest } = company;
  if (annualRevenue === undefined) return rest;
  return { ...rest, annualRevenueMinor: annualRevenue?.minor ?? null, annualRevenueCurrency: annualRevenue?.currency ?? null };
}

/** Companies (accounts). */
export const companyEntity = defineEntity({
  name: 'company', service: 'companies', model: companyModel, toRecord: toCompany, toRow: toCompanyRow,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: true,
});
