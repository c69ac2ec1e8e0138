import { defineConfig } from 'tsup';

/** The build every package shares: ESM + CJS + type declarations for Node 20. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
