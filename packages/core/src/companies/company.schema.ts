import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { idSchema, type Money, moneySchema, optionalText } from '../common/zod-helpers.js';
import { normalizeDomain } from './domain.js';

const domainSchema = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const domain = normalizeDomain(value);
    if (domain === null) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a web domain` });
      return z.NEVER;
    }
    return domain;
  });

/** Input of `companies.create`. */
export const companyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(300),
  /** A domain or URL; stored as the bare host (`acme.io`). */
  domain: domainSchema.nullable().optional(),
  sector: optionalText(100),
  employees: z.number().int().min(0).max(10_000_000).nullable().optional(),
  annualRevenue: moneySchema.nullable().optional(),
  foundedYear: z.number().int().min(1000).max(2200).nullable().optional(),
  city: optionalText(200),
  /** ISO 3166-1 alpha-2 or a country name. */
  country: optionalText(100),
  parentCompanyId: idSchema.nullable().optional(),
  externalId: optionalText(128),
  ...ownedInputShape,
});
/** Input of `companies.create`. */
export type CompanyInput = z.input<typeof companyInputSchema>;

/** Input of `companies.update`. */
export const companyPatchSchema = companyInputSchema.partial();
/** Input of `companies.update`. */
export type CompanyPatch = z.input<typeof companyPatchSchema>;

/** A company (account), optionally a subsidiary of another. */
export interface Company extends OwnedRecord {
  name: string;
  /** Bare lower-case host, unique per tenant. */
  domain: string | null;
  sector: string | null;
  employees: number | null;
  annualRevenue: Money | null;
  foundedYear: number | null;
  city: string | null;
  country: string | null;
  parentCompanyId: string | null;
  /** The id of this company in the host's or a source system. */
  externalId: string | null;
  /** The key of the create that made it (`create(input, { idempotencyKey })`), if one was given. */
  idempotencyKey: string | null;
}
