import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';

// Runs the ```sh runnable blocks of docs/cli.md in-process, so the documented
// session stays true to the CLI. The blocks use a small part of sh: comments,
// `cat > file <<'TAG'` here-documents and `crmkit` commands with quotes; a
// trailing `# exit N` says the command is expected to exit with N (0 otherwise).

const doc = new URL('../../../docs/cli.md', import.meta.url);

class Captured extends Writable {
  text = '';
  override _write(chunk: string | Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Splits a command line as sh would (single and double quotes, backslash escapes); the comment after an unquoted `#` apart. */
function words(line: string): { argv: string[]; comment: string } {
  const argv: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; line[i] !== '"'; i++) text += line[i] === '\\' ? line[++i] : line[i];
      word = (word ?? '') + text;
    } else if (c === '\\') {
      word = (word ?? '') + line[++i];
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) argv.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      return { argv, comment: line.slice(i + 1).trim() };
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) argv.push(word);
  return { argv, comment: '' };
}

interface Step {
  line: number;
  argv: string[];
  exit: number;
}

/** The steps of a block: files to write and commands to run, in order. */
function steps(block: string, firstLine: number): (Step | { line: number; file: string; content: string })[] {
  const lines = block.split('\n');
  const out: (Step | { line: number; file: string; content: string })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '' || text.startsWith('#')) continue;
    const heredoc = /^cat > (\S+) <<'(\w+)'$/.exec(text);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out.push({ line: firstLine + i, file: heredoc[1]!, content: `${lines.slice(i + 1, end).join('\n')}\n` });
      i = end;
      continue;
    }
    const { argv, comment } = words(text);
    if (argv[0] !== 'crmkit') throw new Error(`docs/cli.md line ${firstLine + i}: only crmkit commands and here-documents are run: ${text}`);
    const exit = /^exit (\d)$/.exec(comment);
    out.push({ line: firstLine + i, argv: argv.slice(1), exit: exit ? Number(exit[1]) : 0 });
  }
  return out;
}

const text = await readFile(doc, 'utf8');
const blocks = [...text.matchAll(/^```sh runnable[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => ({
  code: m[1]!,
  line: text.slice(0, m.index).split('\n').length + 1,
}));

describe('the crmkit session of docs/cli.md', () => {
  let dir: string;
  const cwd = process.cwd();

  beforeAll(async () => {
    // File names in the doc are relative: the session runs in an empty folder.
    dir = await mkdtemp(join(tmpdir(), 'crmkit-cli-docs-'));
    process.chdir(dir);
  });
  afterAll(async () => {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  });

  it('has a session to run', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('runs every command with the exit code the doc says', async () => {
    for (const block of blocks) {
      for (const step of steps(block.code, block.line)) {
        if ('file' in step) {
          await writeFile(step.file, step.content);
          continue;
        }
        const stdout = new Captured();
        const stderr = new Captured();
        const code = await run(step.argv, { stdout, stderr, progressIntervalMs: 60_000 });
        expect({ line: step.line, code, stderr: code === step.exit ? '' : stderr.text }).toEqual({ line: step.line, code: step.exit, stderr: '' });
      }
    }
    // The mapping that imported people.csv exported it back as it was.
    expect(await readFile('people-out.csv', 'utf8')).toBe(await readFile('people.csv', 'utf8'));
  });
});
