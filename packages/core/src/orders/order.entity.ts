import { defineEntity } from '../entities/entity.js';
import { orderModel } from './order.model.js';
import type { Order } from './order.schema.js';

type OrderRow = NonNullable<(typeof orderModel)['rowType']>;

function toOrder(row: OrderRow): Order {
  const { totalMinor, currency, ...rest } = row;
  return { ...rest, total: { minor: totalMinor, currency } };
}

function toOrderRow(order: Partial<Order>): Partial<OrderRow> {
  const { total, ...rest } = order;
  return total === undefined ? rest : { ...rest, totalMinor: total.minor, currency: total.currency };
}

/** Orders: purchases with lines. Tasks may link to them (a delivery to chase, a return to handle). */
export const orderEntity = defineEntity({
  name: 'order', service: 'orders', model: orderModel, toRecord: toOrder, toRow: toOrderRow,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: true,
});
