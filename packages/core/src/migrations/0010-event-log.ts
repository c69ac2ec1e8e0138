import type { Migration } from '../storage/migration.js';

/**
 * The event outbox becomes a commit-ordered log: consumers read every tenant's
 * events in commit order from a position (`storage.readLog`). Events already
 * stored get positions in id order, before every event written after the
 * upgrade. Frozen once released.
 */
export const eventLog0010: Migration = {
  id: '0010_event_log',
  operations: [{ kind: 'addLog', table: 'crm_event' }],
};
