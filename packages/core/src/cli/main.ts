#!/usr/bin/env node
// The `crmkit` binary. Everything happens in run(); this file only binds it to the process.
import { processIo } from './io.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processIo());
