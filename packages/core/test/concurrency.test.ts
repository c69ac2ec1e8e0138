import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { createCrm } from '@crmkit/core';
import { describeServiceConcurrency } from './concurrency-scenarios.js';

// One process has one connection to a SQLite file (better-sqlite3 waits for
// locks synchronously, so a second connection in the same process would stall
// the first): concurrent calls share it and take turns per transaction. The
// cross-process test uses a second OS process on the same file.
describeServiceConcurrency('SQLite file, concurrent calls and a second process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crmkit-race-'));
  const file = join(dir, 'crm.db');
  const a = await createCrm({ adapter: sqliteAdapter({ filename: file }) });
  await a.migrate();
  return {
    a,
    b: a,
    process: { kind: 'sqlite', target: file },
    async close() {
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
