import type { Migration } from '../storage/migration.js';
import { crmCore0001 } from './0001-crm-core.js';
import { idempotencyKeys0002 } from './0002-idempotency-keys.js';
import { taskReminders0003 } from './0003-task-reminders.js';
import { eventLog0010 } from './0010-event-log.js';

/**
 * The core's migrations, in order. `crm.migrate()` applies them with the
 * extensions' migrations; hosts that run migrations themselves get all of that SQL
 * from `crm.compileMigrations()`. Each one is frozen once released; `coreModels`
 * must equal what they build (`verifyMigrations`).
 */
export const coreMigrations: readonly Migration[] = [crmCore0001, idempotencyKeys0002, taskReminders0003, eventLog0010];
