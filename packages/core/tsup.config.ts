import { defineConfig } from 'tsup';
import base from '../../tsup.base.js';

export default defineConfig([
  // Members marked @internal (the services' and scopes' constructors) stay out of the published types.
  // The library's clean leaves the CLI's output alone: both builds write into dist/ at the same time.
  { ...(base as object), dts: { compilerOptions: { stripInternal: true } }, clean: ['!cli.js', '!cli.js.map'] },
  // The `crmkit` binary: one ESM file with its shebang (tsup makes it executable); dependencies
  // stay external, the adapters are imported at run time by name (optional peer dependencies).
  { entry: { cli: 'src/cli/main.ts' }, format: ['esm'], dts: false, clean: false, sourcemap: true, target: 'node20', outDir: 'dist' },
]);
