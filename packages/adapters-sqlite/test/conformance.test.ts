import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SqliteStorageAdapter, sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type ConformanceTarget, runAdapterConformance } from '@crmkit/adapter-tests';

function target(adapter: SqliteStorageAdapter, cleanup?: () => void): ConformanceTarget {
  return {
    adapter,
    raw: {
      async query(sql, params = []) {
        const stmt = adapter.database.prepare(sql);
        if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
        stmt.run(...params);
        return [];
      },
    },
    async close() {
      await adapter.close();
      cleanup?.();
    },
  };
}

runAdapterConformance({
  name: 'sqlite (memory)',
  createAdapter: async () => target(sqliteAdapter()),
});

runAdapterConformance({
  name: 'sqlite (file, WAL)',
  async createAdapter() {
    const dir = mkdtempSync(join(tmpdir(), 'crmkit-sqlite-'));
    return target(sqliteAdapter({ filename: join(dir, 'crm.db') }), () => rmSync(dir, { recursive: true, force: true }));
  },
});
