import type { Company, Contact, TenantScope } from '@crmkit/core';
import type { LeadQualificationInput, ScoringRule, WorkflowEngine } from '@crmkit/workflows';
import { listAll } from './list-all.js';
import type { SalesOrg } from './sales-org.js';

/** How leads are scored: seniority, company size, a referral, a confirmed budget. */
export const scoringRules: ScoringRule[] = [
  { field: 'title', contains: 'head', points: 20 },
  { field: 'title', contains: 'vp', points: 20 },
  { field: 'employees', gte: 1000, points: 40 },
  { field: 'source', equals: 'referral', points: 30 },
  { field: 'budgetConfirmed', equals: true, points: 40 },
];
export const thresholds = { mql: 40, sql: 70 };

/** The leads of the simulation; `plan` says what the scenario does with each. */
export const leadSpecs = [
  { key: 'referral', firstName: 'Hana', lastName: 'Ito', title: 'Head of Procurement', size: 'large', source: 'referral' },
  { key: 'ignored', firstName: 'Victor', lastName: 'Osei', title: 'VP Operations', size: 'large', source: 'website' },
  { key: 'budget', firstName: 'Amir', lastName: 'Haddad', title: 'Analyst', size: 'small', source: 'website' },
  { key: 'cold', firstName: 'Olga', lastName: 'Berg', title: 'Office Manager', size: 'small', source: 'website' },
  { key: 'student', firstName: 'Tim', lastName: 'Novak', title: 'Intern', size: 'small', source: 'website' },
  { key: 'inbound', firstName: 'Rosa', lastName: 'Lima', title: 'Head of IT', size: 'small', source: 'referral' },
] as const;

/** The key of one of {@link leadSpecs}. */
export type LeadKey = (typeof leadSpecs)[number]['key'];

/** A lead of the simulation: its contact, company and workflow instance. */
export interface Lead {
  key: LeadKey;
  contact: Contact;
  company: Company;
  instanceId: string;
}

/**
 * Creates the leads as contacts at imported companies (large leads at the
 * largest companies, small ones at the smallest) and starts their qualification.
 */
export async function startLeads(t: TenantScope, engine: WorkflowEngine, tenantId: string, org: SalesOrg): Promise<Lead[]> {
  const companies = (await listAll((o) => t.companies.list(o), { where: { employees: { isNull: false } }, orderBy: { employees: 'desc' } }));
  const large = companies.slice(0, leadSpecs.length);
  const small = companies.slice(-leadSpecs.length).reverse();
  const leads: Lead[] = [];
  for (const [index, spec] of leadSpecs.entries()) {
    const company = (spec.size === 'large' ? large : small)[index] ?? (companies[index] as Company);
    const contact = await t.contacts.create({ firstName: spec.firstName, lastName: spec.lastName, title: spec.title, companyId: company.id });
    const input: LeadQualificationInput = {
      contactId: contact.id,
      lead: { title: spec.title, source: spec.source, employees: company.employees, sector: company.sector },
      rules: scoringRules,
      thresholds,
      assignment: { teamId: org.leadTeam.id, strategy: 'round-robin' },
      escalateAfterHours: 4,
    };
    const run = await engine.start(tenantId, 'lead-qualification', { subject: { type: 'contact', id: contact.id }, input });
    leads.push({ key: spec.key, contact, company, instanceId: run.id });
  }
  return leads;
}
