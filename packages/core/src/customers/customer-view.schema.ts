import { z } from 'zod';
import type { Asset } from '../assets/asset.schema.js';
import type { Case } from '../cases/case.schema.js';
import type { SlaTargetName } from '../cases/case-values.js';
import type { Money } from '../common/zod-helpers.js';
import type { Company } from '../companies/company.schema.js';
import type { Contact, ContactChannel, Consent } from '../contacts/contact.schema.js';
import type { Contract } from '../contracts/contract.schema.js';
import type { Deal } from '../deals/deal.schema.js';
import type { Order } from '../orders/order.schema.js';
import type { StoredRfmScore } from './rfm-scores.js';
import type { Survey } from '../surveys/survey.schema.js';
import type { TimelinePage } from '../timeline/timeline.service.js';

const count = (max: number, fallback: number) => z.number().int().min(0).max(max).optional().default(fallback);

/** Options of `customers.view`: how much of each list the view holds. */
export const customerViewOptionsSchema = z
  .strictObject({
    /** Latest orders, newest first. @default 10 */
    orders: count(100, 10),
    /** Open deals, newest first. @default 20 */
    deals: count(200, 20),
    /** Assets, newest first, each with its coverage today. @default 50 */
    assets: count(200, 50),
    /** Open cases, newest first. @default 20 */
    cases: count(200, 20),
    /** Entries of the timeline's first page. @default 20 */
    timeline: z.number().int().min(1).max(500).optional().default(20),
  })
  .optional()
  .default({ orders: 10, deals: 20, assets: 50, cases: 20, timeline: 20 });
/** Options of `customers.view`. */
export type CustomerViewOptions = z.input<typeof customerViewOptionsSchema>;

/** A page-less slice of a list: the first items and how many there are in all. */
export interface Slice<T> {
  items: T[];
  total: number;
}

/** What a customer spent in one currency: orders neither cancelled nor returned. */
export interface LifetimeValue extends Money {
  /** How many orders make it up. */
  orders: number;
}

/** A customer's purchase history in short. */
export interface OrderSummary {
  /** The latest orders, newest first. */
  latest: Order[];
  /** Every order, cancelled and returned ones included. */
  count: number;
  /** Per currency, largest first; cancelled and returned orders do not count. */
  lifetimeValue: LifetimeValue[];
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

/** An asset and the contracts covering it today (see `contracts.isCovered`). */
export interface AssetCoverage {
  asset: Asset;
  covered: boolean;
  /** Latest ending first. */
  contracts: Contract[];
}

/** Where one SLA target of an open case stands. */
export interface SlaTargetState {
  /** When it falls due; null when paused, reached or without target. */
  dueAt: string | null;
  /** `running`, `paused`, `met`, `breached`, `stopped`, or null when the case does not measure it (no customer message waiting). */
  state: 'running' | 'paused' | 'met' | 'breached' | 'stopped' | null;
  /** Reached late, or running past its due time now. */
  breached: boolean;
}

/** An open case with its SLA state now. */
export interface CaseSlaState {
  case: Case;
  /** The case waits (on the customer, or on hold under a policy that pauses then): its clocks stand still. */
  paused: boolean;
  targets: Record<SlaTargetName, SlaTargetState>;
  /** Whether any target is breached, or a next response came late earlier in the case (`nextResponseBreaches`). */
  breached: boolean;
}

/** A contact's latest satisfaction. */
export interface SatisfactionSummary {
  /** Latest NPS answer (0-10), or a `satisfaction` set by hand, with when. */
  nps: { score: number; at: string | null } | null;
  /** Latest CSAT answer (1-5) with when. */
  csat: { score: number; at: string | null } | null;
  /** The contact's latest answered survey. */
  lastAnswer: Survey | null;
}

/** Everything about one customer, for a customer page. */
export interface CustomerView {
  contact: Contact;
  company: Company | null;
  demographics: Pick<Contact, 'birthDate' | 'occupation' | 'familyStatus' | 'city' | 'country'>;
  preferences: { preferredChannel: ContactChannel | null; productInterests: string[]; consent: Consent };
  openDeals: Slice<Deal>;
  orders: OrderSummary;
  assets: Slice<AssetCoverage>;
  openCases: Slice<CaseSlaState>;
  satisfaction: SatisfactionSummary;
  /** Its RFM scores as the last `customers.refreshRfmScores` stored them; null when that did not score it, or never ran. */
  rfm: StoredRfmScore | null;
  /** The first page of the contact's timeline; continue with `timeline.forContact(id, { cursor })`. */
  timeline: TimelinePage;
}
