import type { BusinessCalendarOptions, SlaPolicy, TenantScope } from '@crmkit/core';

/** The service desk works Monday to Friday, 9 to 5 in Berlin; Christmas and New Year are holidays. */
export const serviceHours: BusinessCalendarOptions = {
  timeZone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5],
  hours: { start: '09:00', end: '17:00' },
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'],
};

/** The SLA policies, in matching order: the first active one whose conditions match a new case applies. */
export interface DeskPolicies {
  /** Customers with a maintenance contract: answered within the hour, round the clock. */
  premium: SlaPolicy;
  /** Everyone else: targets in business hours, so nights, weekends and holidays do not count. */
  standard: SlaPolicy;
}

/**
 * Creates the two policies. The premium one matches the contract customers'
 * companies and counts calendar time; the standard one matches every other
 * case and counts working time of {@link serviceHours}. Both warn 30 minutes
 * before a due time.
 */
export async function createPolicies(t: TenantScope, contractCompanyIds: string[]): Promise<DeskPolicies> {
  const premium = await t.slaPolicies.create({
    name: 'Premium (maintenance contract)',
    conditions: { companyId: contractCompanyIds },
    targets: {
      normal: { firstResponseMinutes: 60, nextResponseMinutes: 60, resolutionMinutes: 8 * 60 },
      high: { firstResponseMinutes: 30, nextResponseMinutes: 30, resolutionMinutes: 4 * 60 },
    },
    // Calendar time, but with the calendar the cases still get business-minute figures.
    calendar: serviceHours,
    warnBeforeMinutes: 30,
  });
  const standard = await t.slaPolicies.create({
    name: 'Standard (business hours)',
    targets: {
      low: { firstResponseMinutes: 8 * 60, resolutionMinutes: 5 * 8 * 60 },
      normal: { firstResponseMinutes: 4 * 60, nextResponseMinutes: 4 * 60, resolutionMinutes: 3 * 8 * 60 },
      high: { firstResponseMinutes: 60, nextResponseMinutes: 2 * 60, resolutionMinutes: 8 * 60 },
      urgent: { firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 4 * 60 },
    },
    businessHours: true,
    calendar: serviceHours,
    warnBeforeMinutes: 30,
  });
  return { premium, standard };
}
