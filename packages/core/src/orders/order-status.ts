import { StateError } from '../errors.js';

/** Where an order stands. */
export const orderStatuses = ['placed', 'paid', 'fulfilled', 'cancelled', 'returned'] as const;
/** One of {@link orderStatuses}. */
export type OrderStatus = (typeof orderStatuses)[number];

/**
 * The moves an order may make. Paying is optional before fulfilment (cash on
 * delivery); only a fulfilled order comes back as returned; cancelled and
 * returned orders are final, a new purchase is a new order.
 */
export const orderTransitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  placed: ['paid', 'fulfilled', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: ['returned'],
  cancelled: [],
  returned: [],
};

/** The timestamp field each status stamps. */
export const statusTimeField = {
  placed: 'placedAt',
  paid: 'paidAt',
  fulfilled: 'fulfilledAt',
  cancelled: 'cancelledAt',
  returned: 'returnedAt',
} as const satisfies Record<OrderStatus, string>;

/** @throws {StateError} unless an order may move from `from` to `to` */
export function assertOrderTransition(from: OrderStatus, to: OrderStatus): void {
  if (!orderTransitions[from].includes(to)) throw new StateError(`An order cannot go from ${from} to ${to}`);
}
