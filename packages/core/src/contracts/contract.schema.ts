import { z } from 'zod';
import { ownedInputShape, type OwnedRecord } from '../common/record.js';
import { dateSchema, idSchema, type Money, moneySchema, optionalText } from '../common/zod-helpers.js';
import { caseTypes, type CaseType } from './case-types.js';

/** What a contract is. */
export const contractKinds = ['warranty', 'extended_warranty', 'service', 'maintenance', 'subscription'] as const;
/** One of {@link contractKinds}. */
export type ContractKind = (typeof contractKinds)[number];

/** Where a contract stands; only `active` (and, for its own period, `renewed`) covers anything. */
export const contractStatuses = ['draft', 'active', 'expired', 'cancelled', 'renewed'] as const;
/** One of {@link contractStatuses}. */
export type ContractStatus = (typeof contractStatuses)[number];

/** What a contract covers and promises. */
export interface Coverage {
  /** The case types it covers; `null` covers every type. */
  caseTypes: CaseType[] | null;
  /** Promised time to first response, in minutes. */
  responseMinutes?: number;
  /** Promised time to resolution, in minutes. */
  resolutionMinutes?: number;
  /** On-site visits included; `visitsUsed` counts those made. */
  visitsIncluded?: number;
}

/** Schema of {@link Coverage}. */
export const coverageSchema = z.strictObject({
  caseTypes: z.array(z.enum(caseTypes)).min(1).max(caseTypes.length).transform((types) => [...new Set(types)]).nullable().optional().default(null),
  responseMinutes: z.number().int().min(1).max(525_600).optional(),
  resolutionMinutes: z.number().int().min(1).max(5_256_000).optional(),
  visitsIncluded: z.number().int().min(0).max(10_000).optional(),
});

const endNotBeforeStart = {
  check: (c: { startDate?: string | undefined; endDate?: string | undefined }) => !c.startDate || !c.endDate || c.endDate >= c.startDate,
  message: { message: 'endDate is before startDate', path: ['endDate'] },
};

const contractFields = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(contractKinds),
  contactId: idSchema.nullable().optional(),
  companyId: idSchema.nullable().optional(),
  /** Assets covered (each of the tenant). */
  assetIds: z.array(idSchema).max(1000).optional(),
  /** Products covered for the contract's contact or company, whatever the asset. */
  productIds: z.array(idSchema).max(100).optional(),
  /** @default { caseTypes: null } (every case type) */
  coverage: coverageSchema.optional(),
  visitsUsed: z.number().int().min(0).max(10_000).optional(),
  /** First day covered, `YYYY-MM-DD`. */
  startDate: dateSchema,
  /** Last day covered (inclusive), `YYYY-MM-DD`. */
  endDate: dateSchema,
  price: moneySchema.nullable().optional(),
  /** A contract starts as a draft unless created active (imports, warranties). @default 'draft' */
  status: z.enum(['draft', 'active']).optional().default('draft'),
  externalId: optionalText(128),
  ...ownedInputShape,
});

/** Input of `contracts.create`. */
export const contractInputSchema = contractFields.refine(endNotBeforeStart.check, endNotBeforeStart.message);
/** Input of `contracts.create`. */
export type ContractInput = z.input<typeof contractInputSchema>;

/** Input of `contracts.update` (kind and status are fixed; status moves through `activate`, `cancel`, `lapse`, `renew`). `assetIds` replaces the covered set. */
export const contractPatchSchema = contractFields.omit({ kind: true, status: true }).partial().refine(endNotBeforeStart.check, endNotBeforeStart.message);
/** Input of `contracts.update`. */
export type ContractPatch = z.input<typeof contractPatchSchema>;

/** Options of `contracts.renew`. */
export const renewOptionsSchema = z
  .strictObject({
    /** @default the day after the old contract ends */
    startDate: dateSchema.optional(),
    /** @default as long after `startDate` as the old contract ran (whole months when it ran whole months) */
    endDate: dateSchema.optional(),
    /** @default the old contract's price */
    price: moneySchema.nullable().optional(),
    /** @default the old contract's name */
    name: z.string().trim().min(1).max(200).optional(),
  })
  .optional()
  .default({});
/** Options of `contracts.renew`. */
export type RenewOptions = z.input<typeof renewOptionsSchema>;

/** Options of `contracts.expiring`. */
export const expiringOptionsSchema = z.strictObject({
  /** Contracts ending between today and this many days from today, both included. */
  withinDays: z.number().int().min(0).max(3660),
  /** Only these kinds. @default every kind */
  kinds: z.array(z.enum(contractKinds)).min(1).max(contractKinds.length).optional(),
  /** @default 50 */
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(4096).optional(),
});
/** Options of `contracts.expiring`. */
export type ExpiringOptions = z.input<typeof expiringOptionsSchema>;

/** A service contract or warranty. */
export interface Contract extends OwnedRecord {
  name: string;
  kind: ContractKind;
  contactId: string | null;
  companyId: string | null;
  productIds: string[];
  coverage: Coverage;
  visitsUsed: number;
  /** `YYYY-MM-DD`, first day covered. */
  startDate: string;
  /** `YYYY-MM-DD`, last day covered. */
  endDate: string;
  price: Money | null;
  status: ContractStatus;
  /** The contract this one renews. */
  renewsContractId: string | null;
  /** The contract that renewed this one. */
  renewedById: string | null;
  externalId: string | null;
}

/** Result of `contracts.isCovered`. */
export interface CoverageCheck {
  covered: boolean;
  /** The contracts that cover the asset at that time for that case type, latest ending first. */
  contracts: Contract[];
}
