import type { Migration } from '../storage/migration.js';
import { crmCore0001 } from './0001-crm-core.js';
import { idempotencyKeys0002 } from './0002-idempotency-keys.js';
import { taskReminders0003 } from './0003-task-reminders.js';
import { eventLog0010 } from './0010-event-log.js';
import { orders0011 } from './0011-orders.js';
import { assetsContracts0012 } from './0012-assets-contracts.js';
import { cases0013 } from './0013-cases.js';
import { surveys0014 } from './0014-surveys.js';
import { campaigns0016 } from './0016-campaigns.js';
import { segments0015 } from './0015-segments.js';
import { caseSequence0017 } from './0017-case-sequence.js';
import { dealLines0018 } from './0018-deal-lines.js';
import { rfmScores0019 } from './0019-rfm-scores.js';
import { importRuns0020 } from './0020-import-runs.js';
import { merges0021 } from './0021-merges.js';
import { privacy0022 } from './0022-privacy.js';
import { accessControl0023 } from './0023-access-control.js';

/**
 * The core's migrations, in order. `crm.migrate()` applies them with the
 * extensions' migrations; hosts that run migrations themselves get all of that SQL
 * from `crm.compileMigrations()`. Each one is frozen once released; `coreModels`
 * must equal what they build (`verifyMigrations`).
 */
export const coreMigrations: readonly Migration[] = [
  crmCore0001,
  idempotencyKeys0002,
  taskReminders0003,
  eventLog0010,
  orders0011,
  assetsContracts0012,
  cases0013,
  surveys0014,
  segments0015,
  campaigns0016,
  caseSequence0017,
  dealLines0018,
  rfmScores0019,
  importRuns0020,
  merges0021,
  privacy0022,
  accessControl0023,
];
