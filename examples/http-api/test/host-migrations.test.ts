import { verifyMigrations } from '@crmkit/core';
import { describe, expect, it } from 'vitest';
import { credentialModel } from '../src/auth/credential.model.js';
import { hostMigrations } from '../src/host/host-migrations.js';
import { deliveryModel, dispatchCursorModel, subscriptionModel } from '../src/webhooks/webhook.models.js';

describe("the host's migrations", () => {
  // They are written out and frozen; a model changed without a new migration fails here.
  it('build exactly the tables, fields and indexes of the host models', () => {
    expect(verifyMigrations([credentialModel, subscriptionModel, deliveryModel, dispatchCursorModel], hostMigrations)).toEqual([]);
  });
});
