import { defineEntity } from '../entities/entity.js';
import { dealModel } from './deal.model.js';
import type { Deal } from './deal.schema.js';

type DealRow = NonNullable<(typeof dealModel)['rowType']>;

/** Maps a stored deal onto the record (money columns into `amount`). */
function toDeal(row: DealRow): Deal {
  const { amountMinor, currency, ...rest } = row;
  return { ...rest, amount: { minor: amountMinor, currency } };
}

/** Maps (part of) a deal onto its stored columns. */
function toDealRow(deal: Partial<Deal>): Partial<DealRow> {
  const { amount, ...rest } = deal;
  return amount === undefined ? rest : { ...rest, amountMinor: amount.minor, currency: amount.currency };
}

/** Deals (opportunities) in pipelines. */
export const dealEntity = defineEntity({
  name: 'deal', service: 'deals', model: dealModel, toRecord: toDeal, toRow: toDealRow,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: true,
});
