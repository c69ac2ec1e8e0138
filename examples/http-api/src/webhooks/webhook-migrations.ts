// PLACEHOLDER: the webhooks helper replaces this whole file.
import type { Migration } from '@crmkit/core';
export const webhookMigrations: readonly Migration[] = [];
