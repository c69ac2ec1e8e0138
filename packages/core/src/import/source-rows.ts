import { parse } from 'csv-parse';
import type { ImportSource } from './import.schema.js';

/** One record of the source, before mapping: its physical line, its row number and its cells by column. */
export interface SourceRow {
  /** The physical line the record starts on. */
  line: number;
  /** 1-based data row (the header is not a row). */
  row: number;
  /** Cell values by column; CSV cells are strings, NDJSON values keep their JSON type. */
  cells: Record<string, unknown>;
  /** Set when the record itself is unreadable (bad JSON, wrong cell count): the row is rejected with it. */
  problem?: { code: string; message: string };
}

/** What the readers tell the importer about the source as they go. */
export interface SourceState {
  /** Bytes read so far. */
  bytes: number;
  /** The columns, once the CSV header is read (NDJSON: every key seen so far). */
  columns: string[];
  /** CSV header names that occur more than once: only the last such column is read. */
  duplicates?: string[];
}

/** A CSV or NDJSON that cannot be read past some point: the import stops there and reports where. */
export class MalformedSourceError extends Error {
  constructor(
    readonly line: number,
    readonly code: 'malformed_csv',
    message: string,
  ) {
    super(message);
  }
}

/** Slices handed to the parser: a whole-text source is fed in pieces so the parser never holds all its records. */
const sliceSize = 64 * 1024;

/** The source as text chunks, counting bytes; Uint8Array chunks are decoded as UTF-8 across chunk boundaries. */
export async function* textChunks(source: ImportSource, state: SourceState): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  const pieces: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> =
    typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
  for await (const piece of pieces) {
    if (typeof piece === 'string') {
      state.bytes += Buffer.byteLength(piece);
      for (let at = 0; at < piece.length; at += sliceSize) yield piece.slice(at, at + sliceSize);
    } else {
      state.bytes += piece.byteLength;
      for (let at = 0; at < piece.byteLength; at += sliceSize) {
        const text = decoder.decode(piece.subarray(at, at + sliceSize), { stream: true });
        if (text !== '') yield text;
      }
    }
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * CSV records through csv-parse's stream, with the line each record starts on.
 * Lines are counted here from each record's raw text (`\n` ends a line, so a
 * quoted `\r\n` is one line break, where csv-parse's own count sees two); the
 * raw text of a record begins with the empty lines skipped before it. Cells are
 * matched to the header by position; a record with a different cell count is
 * reported, not guessed.
 */
export async function* csvRows(source: ImportSource, delimiter: string, state: SourceState): AsyncGenerator<SourceRow> {
  /** Line breaks before the current record. */
  let breaks = 0;
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const item of csvRecords(source, delimiter, state)) {
      const line = breaks + 1 + newlines(/^[\r\n]*/.exec(item.raw)![0]);
      breaks += newlines(item.raw);
      if (header === undefined) {
        header = item.record.map((name) => name.trim());
        state.columns = header;
        state.duplicates = [...new Set(header.filter((name, i) => header!.indexOf(name) !== i))];
        continue;
      }
      row += 1;
      const cells: Record<string, unknown> = {};
      header.forEach((name, i) => {
        if (item.record[i] !== undefined) cells[name] = item.record[i];
      });
      const problem =
        item.record.length === header.length
          ? undefined
          : { code: 'column_count', message: `The row has ${item.record.length} cells, the header ${header.length}` };
      yield { line, row, cells, ...(problem ? { problem } : {}) };
    }
  } catch (error) {
    if (isCsvError(error)) throw new MalformedSourceError(breaks + 1, 'malformed_csv', error.message);
    throw error;
  }
}

/**
 * csv-parse's stream driven in lockstep with the reader: one chunk is written, the
 * records it completes are handed on, then the next chunk. Memory holds one
 * chunk's records, and when the text turns unreadable every record before that
 * point has been handed on (a piped stream would drop its buffered records).
 */
async function* csvRecords(source: ImportSource, delimiter: string, state: SourceState): AsyncGenerator<{ record: string[]; raw: string }> {
  const parser = parse({ delimiter, bom: true, raw: true, relax_column_count: true, skip_empty_lines: true });
  const queue: { record: string[]; raw: string }[] = [];
  let failure: { error: unknown } | undefined;
  parser.on('data', (item: { record: string[]; raw: string }) => void queue.push(item));
  const settled = (start: (done: () => void) => void) =>
    new Promise<void>((resolve) => {
      const fail = (error: unknown) => {
        failure ??= { error };
        resolve();
      };
      parser.once('error', fail);
      start(() => {
        parser.off('error', fail);
        resolve();
      });
    });
  try {
    for await (const chunk of textChunks(source, state)) {
      await settled((done) => parser.write(chunk, () => done()));
      yield* queue.splice(0);
      if (failure) throw failure.error;
    }
    await settled((done) => {
      parser.once('end', done);
      parser.end();
    });
    yield* queue.splice(0);
    if (failure) throw failure.error;
  } finally {
    parser.destroy();
  }
}

function newlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function isCsvError(error: unknown): error is Error & { code: string; lines?: number } {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('CSV_');
}

/** NDJSON records: one JSON object per line, blank lines skipped; a line that is not an object is a rejected row. */
export async function* ndjsonRows(source: ImportSource, state: SourceState): AsyncGenerator<SourceRow> {
  let pending = '';
  let line = 0;
  let row = 0;
  const seen = new Set<string>();
  const toRow = (text: string): SourceRow | undefined => {
    line += 1;
    if (text.trim() === '') return undefined;
    row += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { line, row, cells: {}, problem: { code: 'malformed_json', message: `Not JSON: ${(error as Error).message}`.slice(0, 300) } };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { line, row, cells: {}, problem: { code: 'malformed_json', message: 'A line must hold a JSON object' } };
    }
    for (const key of Object.keys(value)) {
      if (!seen.has(key)) {
        seen.add(key);
        state.columns.push(key);
      }
    }
    return { line, row, cells: value as Record<string, unknown> };
  };
  for await (const chunk of textChunks(source, state)) {
    pending += chunk;
    // One slice per line and one per chunk: re-slicing the rest per line would copy a chunk per line.
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      const found = toRow(pending.slice(start, newline).replace(/\r$/, ''));
      start = newline + 1;
      if (found) yield found;
    }
    pending = pending.slice(start);
  }
  const last = toRow(pending.replace(/\r$/, ''));
  if (last) yield last;
}
