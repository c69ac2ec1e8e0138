import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import packages by their public names; aliasing them to source keeps
// `vitest` usable without a build while still exercising only the public API.
export default defineConfig({
  resolve: {
    alias: {
      '@crmkit/core': src('core'),
      '@crmkit/kysely': src('kysely'),
      '@crmkit/adapter-sqlite': src('adapters-sqlite'),
      '@crmkit/adapter-postgres': src('adapters-postgres'),
      '@crmkit/adapter-tests': src('adapter-tests'),
      '@crmkit/workflows': src('workflows'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'docs/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
