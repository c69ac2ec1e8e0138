import type { LeadSourceRow, TenantScope } from '@crmkit/core';

/** What the example reports about the Olist tenant: conversion by origin, best first. */
export interface OlistFigures {
  bySource: LeadSourceRow[];
}

/**
 * Asks the crm for lead conversion by origin (the contacts' `source`): a lead
 * converted when it is a customer or has a won deal.
 * @example
 * const { bySource } = await olistFigures(crm.tenant('olist'));
 */
export async function olistFigures(t: TenantScope): Promise<OlistFigures> {
  const rows = await t.reports.leadSources({ by: 'source' });
  return { bySource: [...rows].sort((a, b) => b.conversionRate - a.conversionRate || b.contacts - a.contacts) };
}
