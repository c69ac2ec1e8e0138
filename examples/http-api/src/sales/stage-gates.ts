import type { Stage } from '@crmkit/core';

/**
 * The host's stage gates: the deal fields (dotted paths, as crmkit's
 * `moveToStage(..., { requiredFields })` takes them) a deal must have filled
 * in before it may enter a stage, by stage key. crmkit checks them on the deal
 * as stored, inside the move's lock, so a gate cannot be raced past.
 *
 * The keys are those of the demo pipeline `Sales` (prospecting, engaging, won,
 * lost): a deal is engaged once someone on the customer's side is on it, and
 * is won only with the amount booked and the company it was sold to.
 * Prospecting and lost have no gate: a deal must always be droppable.
 */
export const stageGates: Readonly<Record<string, readonly string[]>> = {
  engaging: ['contactIds'],
  won: ['amount', 'companyId'],
};

/**
 * The fields a deal needs to enter `stage`: its key's gate, and for a won
 * stage without a gate of its own the `won` gate, so that a pipeline whose won
 * stage is keyed otherwise (`closed_won`) does not book deals without an amount.
 */
export function requiredFieldsFor(stage: Pick<Stage, 'key' | 'category'>): string[] {
  const gate = stageGates[stage.key] ?? (stage.category === 'won' ? stageGates.won : undefined);
  return [...(gate ?? [])];
}
