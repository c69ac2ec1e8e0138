/**
 * After-sales on a fast clock: a device maker's service desk takes tickets by
 * email, SMS and chat, keeps SLA promises in business hours across
 * Christmas, escalates a breach, handles a warranty claim, renews a contract
 * and surveys its customers, with the four after-sales workflows; then prints
 * the SLA report.
 *
 *   node --import tsx examples/after-sales/index.ts [--step 60] [--db :memory:]
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { printReport } from './print-report.js';
import { collectReport } from './report.js';
import { runSimulation } from './simulate.js';

const usage = `Usage: node --import tsx examples/after-sales/index.ts [options]

  --step <minutes>  longest clock step between scripted moments and timers   default: 60
  --db <file>       SQLite file to (re)create, or :memory:                   default: :memory:
  --quiet           do not print the scripted steps
  --help            show this help`;

function positive(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${name} expects a positive integer, got "${text}"`);
  return Number(text);
}

/** Berlin wall time of an instant, for the log (the scenario runs in winter: UTC+1). */
const berlin = (at: Date) => new Date(at.getTime() + 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      step: { type: 'string', default: '60' },
      db: { type: 'string', default: ':memory:' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.db !== ':memory:') await Promise.all(['', '-wal', '-shm', '-journal'].map((s) => rm(values.db + s, { force: true })));
  const sim = await runSimulation({
    db: values.db,
    stepMinutes: positive('step', values.step),
    onStep: values.quiet ? undefined : (at, what) => console.log(`${berlin(at)}  ${what}`),
  });
  try {
    printReport(await collectReport(sim));
  } finally {
    await sim.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof Error && !error.message.startsWith('--')) console.error(error.stack);
  process.exitCode = 1;
});
