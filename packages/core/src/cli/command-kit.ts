import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, usageError } from './cli-error.js';
import type { GlobalOptions } from './connect.js';
import type { CliIo } from './io.js';

/** What every command's action gets: the streams, and where to put its exit code. */
export interface CommandEnv {
  io: CliIo;
  /** Set by an action that ends other than 0 without throwing (an import that rejected rows). */
  exitCode: number;
}

/** The global options as seen from a command (given before or after its name). */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Parses a positive integer option. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Parses a number option. */
export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

/** Parses JSON given inline. @throws {CliError} a usage error */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

/** Reads a JSON file (a mapping). @throws {CliError} */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  return parseJson(text, `${what} ${file}`);
}

/** The format of a data file: given, or from its extension (`.ndjson`, `.jsonl` are NDJSON), CSV otherwise. */
export function formatOf(file: string, given: string | undefined): 'csv' | 'ndjson' {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'ndjson') throw usageError(`--format must be csv or ndjson, not ${given}`);
    return given;
  }
  return /\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'csv';
}

/** A mapping file's content, checked to be an object of columns (the services validate it in full). */
export async function readMapping(file: string | undefined): Promise<{ columns: Record<string, string | null> } | undefined> {
  if (file === undefined) return undefined;
  const mapping = await readJsonFile(file, 'mapping');
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) throw usageError(`mapping ${file} must be a JSON object`);
  // A file of bare columns ({ "E-mail": "email" }) is accepted as well as { columns: {...} }.
  return ('columns' in mapping ? mapping : { columns: mapping }) as { columns: Record<string, string | null> };
}
