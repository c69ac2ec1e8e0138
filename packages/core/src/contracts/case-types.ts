/**
 * The kinds of service request a case can be, shared by cases (their `type`)
 * and contracts (the case types a contract's coverage includes).
 */
export const caseTypes = ['question', 'incident', 'complaint', 'warranty_claim', 'return', 'installation'] as const;

/** One of {@link caseTypes}. */
export type CaseType = (typeof caseTypes)[number];
