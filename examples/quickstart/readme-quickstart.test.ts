import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The first ```ts block after the "## Quickstart" heading, verbatim. */
async function quickstartBlock(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quickstart'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no ts block under ## Quickstart');
  return match[1];
}

describe('README quickstart', () => {
  it('runs verbatim as a program and prints what it promises', async () => {
    const code = await quickstartBlock();
    // The file lives in the repository so that package imports resolve; it
    // runs in a temporary directory so that crm.db lands there.
    const file = join(root, 'examples', 'quickstart', 'quickstart.generated.ts');
    const cwd = await mkdtemp(join(tmpdir(), 'crmkit-quickstart-'));
    await writeFile(file, code);
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, file],
        { cwd, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') } },
      );
      expect(stdout).toMatch(/deal moved at \d{4}-\d\d-\d\dT/);
      expect(stdout).toContain("1 [ 'interaction', 'stageChange', 'stageChange' ]");
      expect(stdout).toMatch(/count: 1/);
    } finally {
      await rm(file, { force: true });
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
