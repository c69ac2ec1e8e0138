import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const docs = join(root, 'docs');
// Inside the repository so that `@crmkit/*` and `zod` resolve; gitignored.
const generated = join(docs, '.generated');
const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

interface Example {
  doc: string;
  index: number;
  line: number;
  code: string;
}

/** Every ```ts runnable block of docs/*.md, in order, with the line it starts on. */
async function runnableExamples(): Promise<Example[]> {
  const files = (await readdir(docs)).filter((f) => f.endsWith('.md')).sort();
  const examples: Example[] = [];
  for (const file of files) {
    const text = await readFile(join(docs, file), 'utf8');
    const fence = /^```ts runnable[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
    let index = 0;
    for (let match = fence.exec(text); match !== null; match = fence.exec(text)) {
      const line = text.slice(0, match.index).split('\n').length;
      examples.push({ doc: file.replace(/\.md$/, ''), index: ++index, line, code: match[1]! });
    }
  }
  return examples;
}

const examples = await runnableExamples();

describe.concurrent('runnable examples in docs/', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it('type-checks every example', async () => {
    // tsx strips types without checking them; a doc example must also compile.
    const dir = join(generated, 'typecheck');
    await mkdir(dir, { recursive: true });
    try {
      for (const e of examples) await writeFile(join(dir, `${e.doc}-${e.index}.ts`), e.code);
      const tsconfig = { extends: '../../../tsconfig.json', compilerOptions: { noEmit: true, baseUrl: '../../..' }, include: ['./*.ts'] };
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(result).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it.each(examples.map((e) => [`${e.doc}.md example ${e.index} (line ${e.line})`, e] as const))(
    '%s runs as a program and exits 0',
    async (_title, example) => {
      await mkdir(generated, { recursive: true });
      const file = join(generated, `${example.doc}-${example.index}.ts`);
      // A fresh working directory per example: files it creates land there.
      const cwd = await mkdtemp(join(tmpdir(), 'crmkit-docs-'));
      await writeFile(file, example.code);
      try {
        const result = await promisify(execFile)(process.execPath, ['--import', loader, file], {
          cwd,
          env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
        }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (error: { code?: number; stdout?: string; stderr?: string }) => ({
            code: error.code ?? 1,
            stdout: error.stdout ?? '',
            stderr: error.stderr ?? '',
          }),
        );
        // console.assert only prints on failure; treat that as a failure too.
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('Assertion failed') });
      } finally {
        await rm(file, { force: true });
        await rm(cwd, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
