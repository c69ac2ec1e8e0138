import { postgresAdapter } from '@crmkit/adapter-postgres';
import { createCrm } from '@crmkit/core';
import { describe, it } from 'vitest';
import { describeServiceConcurrency } from '../../core/test/concurrency-scenarios.js';
import { noServer, serverUrl, useTestDatabase } from './pg-target.js';

const url = useTestDatabase();

if (serverUrl === undefined) {
  describe('services under concurrent writers (Postgres server)', () => {
    it.skip(noServer, () => {});
  });
} else {
  describeServiceConcurrency('Postgres server, two pools', async () => {
    const a = await createCrm({ adapter: postgresAdapter({ connectionString: url(), poolSize: 4 }) });
    await a.migrate();
    const b = await createCrm({ adapter: postgresAdapter({ connectionString: url(), poolSize: 4 }) });
    return {
      a,
      b,
      process: { kind: 'postgres', target: url() },
      async close() {
        await a.close();
        await b.close();
      },
    };
  });
}
