import { type ReportPeriod, reportPeriods } from '@crmkit/core';
import { z } from 'zod';

/** What the reports page is asked for, from its query string. */
export interface ReportQuery {
  /** The pipeline of the funnel, forecast and win / loss. @default the tenant's first pipeline */
  pipeline?: string;
  /** Period length of the forecast and the SLA lines. @default 'month' */
  period: ReportPeriod;
  /** First day (`YYYY-MM-DD`) of what the reports read: deal creation (funnel), periods (forecast), close (win / loss), opening (SLA). */
  from?: string;
  /** Day after the last one read (exclusive, as crmkit's reports take it). */
  to?: string;
  /** Currency of the forecast amounts and of RFM's M. @default the pipeline's (forecast); the orders' own (RFM) */
  currency?: string;
}

const fields = {
  pipeline: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  period: z.enum(reportPeriods),
  from: z.iso.date(),
  to: z.iso.date(),
  currency: z.string().regex(/^[A-Z]{3}$/),
};

/** A query read from the page's form, with the fields that were given but unusable, to say so on the page. */
export interface ParsedReportQuery {
  query: ReportQuery;
  invalid: (keyof typeof fields)[];
}

/**
 * Reads the form's fields one by one: an empty field means the default, an
 * invalid one is dropped (and named in `invalid`) so that one typo does not
 * take the whole page down. `to` before `from` drops `to`.
 */
export function parseReportQuery(params: Record<string, string | undefined>): ParsedReportQuery {
  const query: ReportQuery = { period: 'month' };
  const invalid: ParsedReportQuery['invalid'] = [];
  for (const name of Object.keys(fields) as (keyof typeof fields)[]) {
    const raw = params[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const parsed = fields[name].safeParse(name === 'currency' ? raw.toUpperCase() : raw);
    if (parsed.success) Object.assign(query, { [name]: parsed.data });
    else invalid.push(name);
  }
  if (query.from !== undefined && query.to !== undefined && query.to <= query.from) {
    delete query.to;
    invalid.push('to');
  }
  return { query, invalid };
}
