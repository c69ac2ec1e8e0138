import { type EventTrigger, onEvent } from '../../triggers/event-trigger.js';

const workflow = 'win-back';

/**
 * The triggers of `win-back`: every `order.created` sends `ordered {
 * placedAt, at }` to the win-back instances of the order's contact and of its
 * company (an order of a company's contact counts for both). Instances are
 * started by the host, per customer, with the customer's last order as
 * `lastOrderAt` (see `winBack`).
 * @example
 * createTriggers(engine, winBackTriggers());
 */
export function winBackTriggers(): EventTrigger[] {
  return [
    onEvent('order.created', {
      id: 'order.created->win-back:contact',
      where: { 'record.contactId': { isNull: false } },
      subject: (e) => (e.data.record.contactId ? { type: 'contact', id: e.data.record.contactId } : null),
      signal: { workflow, event: (e) => ({ type: 'ordered', placedAt: e.data.record.placedAt, at: e.occurredAt }) },
    }),
    onEvent('order.created', {
      id: 'order.created->win-back:company',
      where: { 'record.companyId': { isNull: false } },
      subject: (e) => (e.data.record.companyId ? { type: 'company', id: e.data.record.companyId } : null),
      signal: { workflow, event: (e) => ({ type: 'ordered', placedAt: e.data.record.placedAt, at: e.occurredAt }) },
    }),
  ];
}
