import type { CrmEventName } from '@crmkit/core';

/**
 * Every crmkit domain event a subscription may name. crmkit has the names as a
 * type only (`CrmEventName`); the list is checked against it both ways below,
 * so a crmkit release that adds an event fails the type-check here instead of
 * silently being impossible to subscribe to.
 */
export const webhookEventNames = [
  'member.created', 'member.updated', 'team.created', 'team.updated', 'team.deleted',
  'company.created', 'company.updated', 'company.deleted', 'company.merged',
  'contact.created', 'contact.updated', 'contact.deleted', 'contact.merged', 'contact.erased',
  'product.created', 'product.updated', 'product.deleted', 'pipeline.created', 'pipeline.updated',
  'deal.created', 'deal.updated', 'deal.deleted', 'deal.stageChanged', 'deal.won', 'deal.lost',
  'deal.contactAdded', 'deal.contactRoleChanged', 'deal.contactRemoved',
  'interaction.logged', 'interaction.updated', 'interaction.deleted',
  'task.created', 'task.updated', 'task.completed', 'task.reminderDue',
  'order.created', 'order.updated', 'order.statusChanged',
  'asset.created', 'asset.updated', 'asset.statusChanged',
  'contract.created', 'contract.updated', 'contract.statusChanged', 'contract.renewed',
  'survey.sent', 'survey.reminded', 'survey.answered', 'survey.detractor', 'survey.expired',
  'segment.created', 'segment.updated', 'segment.deleted', 'segment.entered', 'segment.left',
  'case.created', 'case.updated', 'case.statusChanged', 'case.assigned', 'case.responded', 'case.customerMessage',
  'case.slaChanged', 'case.slaWarning', 'case.slaBreached', 'case.resolved', 'case.closed', 'case.reopened',
  'campaign.created', 'campaign.updated', 'campaign.statusChanged', 'campaign.memberEnrolled', 'campaign.memberStatusChanged',
  'role.created', 'role.updated', 'role.deleted', 'share.granted', 'share.revoked',
] as const satisfies readonly CrmEventName[];

/** Fails to compile while crmkit has an event the list lacks. */
type Missing = Exclude<CrmEventName, (typeof webhookEventNames)[number]>;
const everyEventListed: [Missing] extends [never] ? true : Missing = true;
void everyEventListed;

const entities = new Set(webhookEventNames.map((name) => name.slice(0, name.indexOf('.'))));

/**
 * Whether a subscription's event type is one a subscription may name: an
 * event (`deal.won`), every event of an entity (`deal.*`) or every event (`*`).
 */
export function isEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return entities.has(pattern.slice(0, -2));
  return (webhookEventNames as readonly string[]).includes(pattern);
}

/** Whether an event's type matches one of a subscription's patterns. */
export function matchesEventTypes(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}
