import { join } from 'node:path';
import { readCsv } from './read-csv.js';

/** A marketing-qualified lead: a seller who asked to sell on Olist. */
export interface OlistLead {
  line: number;
  leadId: string;
  /** `YYYY-MM-DD`. */
  firstContactDate: string;
  /** Where the lead came from (`organic_search`, `paid_search`...); null for the 60 leads with none. */
  origin: string | null;
}

/** A lead an SDR and an SR won. */
export interface OlistDeal {
  line: number;
  leadId: string;
  /** ISO UTC; the file's local time, whose zone it does not state, read as UTC. */
  wonAt: string;
  /** Empty for most deals. */
  businessSegment: string;
  /** What the seller declared it sells a month, in centavos; 0 when it declared nothing (all but 45 deals). */
  declaredMonthlyMinor: number;
}

/** Both funnel files. */
export interface OlistData {
  leads: OlistLead[];
  deals: OlistDeal[];
}

/**
 * Reads the Olist marketing funnel: the MQL file and the closed-deals file.
 * @throws {Error} for a missing file or column, a malformed date, or a deal whose lead is not in the MQL file
 * @example
 * const { leads, deals } = await readOlist('examples/data/olist'); // 8,000 and 842
 */
export async function readOlist(dataDir: string): Promise<OlistData> {
  const [mqls, closed] = await Promise.all([
    readCsv(join(dataDir, 'olist_marketing_qualified_leads_dataset.csv'), { leadId: 'mql_id', firstContact: 'first_contact_date', origin: 'origin' }),
    readCsv(join(dataDir, 'olist_closed_deals_dataset.csv'), {
      leadId: 'mql_id', wonDate: 'won_date', segment: 'business_segment', revenue: 'declared_monthly_revenue',
    }),
  ]);
  const leads = mqls.map((r) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.firstContact)) throw new Error(`MQL line ${r.line}: first_contact_date "${r.firstContact}"`);
    return { line: r.line, leadId: r.leadId, firstContactDate: r.firstContact, origin: r.origin === '' ? null : r.origin };
  });
  const known = new Set(leads.map((l) => l.leadId));
  const deals = closed.map((r) => {
    const won = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(r.wonDate);
    if (!won) throw new Error(`closed deals line ${r.line}: won_date "${r.wonDate}"`);
    if (!known.has(r.leadId)) throw new Error(`closed deals line ${r.line}: lead ${r.leadId} is not in the MQL file`);
    const revenue = r.revenue === '' ? 0 : Number(r.revenue);
    if (!Number.isFinite(revenue) || revenue < 0) throw new Error(`closed deals line ${r.line}: declared_monthly_revenue "${r.revenue}"`);
    return { line: r.line, leadId: r.leadId, wonAt: `${won[1]}T${won[2]}.000Z`, businessSegment: r.segment, declaredMonthlyMinor: Math.round(revenue * 100) };
  });
  return { leads, deals };
}
