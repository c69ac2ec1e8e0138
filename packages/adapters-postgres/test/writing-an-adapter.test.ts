import { runAdapterConformance } from '@crmkit/adapter-tests';
import pg from 'pg';
import { describe, it } from 'vitest';
import { minimalPostgresAdapter } from '../../../docs/adapters/examples/minimal-postgres.js';
import { dollarParams, noServer, serverUrl, useTestDatabase } from './pg-target.js';

// The worked example of docs/adapters/writing-an-adapter.md, held to the whole contract.
if (serverUrl === undefined) {
  describe('docs example: minimal Postgres adapter', () => {
    it.skip(`runs the conformance suite: ${noServer}`, () => {});
  });
} else {
  const url = useTestDatabase();
  runAdapterConformance({
    name: 'docs example: minimal Postgres adapter',
    async createAdapter() {
      const pool = new pg.Pool({ connectionString: url(), max: 4 });
      const adapter = minimalPostgresAdapter(pool);
      return { adapter, raw: { query: async (text, params = []) => (await pool.query(dollarParams(text), params)).rows } };
    },
  });
}
