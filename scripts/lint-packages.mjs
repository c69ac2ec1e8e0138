// Checks every publishable package the way npm users will consume it:
// publint for the package.json / exports map, and "Are the types wrong?" for
// ESM + CJS type resolution. Runs on the built dist, so `npm run build` first.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'index.ts')));

let failed = false;
for (const dir of packages) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const { messages } = await publint({ pkgDir: dir, level: 'warning', strict: true });
  for (const message of messages) console.log(`${pkg.name}: publint ${message.type}: ${formatMessage(message, pkg)}`);
  if (messages.length > 0) failed = true;
  try {
    execFileSync('npx', ['--no-install', 'attw', '--pack', dir, '--format', 'table-flipped', '--profile', 'node16'], { stdio: 'pipe', cwd: root });
    console.log(`${pkg.name}: publint and attw clean`);
  } catch (error) {
    failed = true;
    console.log(`${pkg.name}: attw found problems:\n${error.stdout?.toString() ?? error}`);
  }
}
if (failed) process.exit(1);
