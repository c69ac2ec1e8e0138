import { defineEntity, sameShape } from '../entities/entity.js';
import { assetModel } from './asset.model.js';
import type { Asset } from './asset.schema.js';

/** Assets: installed products with serials and coverage. Tasks may link to them (a visit, a repair). */
export const assetEntity = defineEntity({
  name: 'asset', service: 'assets', model: assetModel, toRecord: (row): Asset => row, toRow: sameShape.toRow<Asset>,
  customizable: true, ownable: true, taskLinkable: true, idempotentCreate: false,
});
