import { postgresAdapter } from '@crmkit/adapter-postgres';
import { runAdapterConformance } from '@crmkit/adapter-tests';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, it } from 'vitest';
import { conformanceTarget, noServer, serverUrl, useTestDatabase } from './pg-target.js';

// One PGlite for every part: booting one takes seconds, and parts never see each other's tenants.
let pglite: PGlite | undefined;
afterAll(async () => {
  await pglite?.close();
});

runAdapterConformance({
  name: 'postgres (PGlite)',
  async createAdapter() {
    pglite ??= await PGlite.create();
    return conformanceTarget(postgresAdapter({ pglite }));
  },
});

if (serverUrl === undefined) {
  describe('postgres (server)', () => {
    it.skip(`runs the conformance suite: ${noServer}`, () => {});
  });
} else {
  const url = useTestDatabase();
  runAdapterConformance({
    name: 'postgres (server)',
    createAdapter: async () => conformanceTarget(postgresAdapter({ connectionString: url(), poolSize: 8 })),
  });
}
