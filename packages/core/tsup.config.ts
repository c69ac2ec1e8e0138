import { defineConfig } from 'tsup';
import base from '../../tsup.base.js';

// Members marked @internal (the services' and scopes' constructors) stay out of the published types.
export default defineConfig({ ...(base as object), dts: { compilerOptions: { stripInternal: true } } });
