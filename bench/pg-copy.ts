import { once } from 'node:events';
import type pg from 'pg';

/**
 * `COPY ... FROM STDIN` on a pg client, for the informational COPY row. It is
 * the few lines of pg-copy-streams this benchmark needs, written against pg's
 * submittable-query interface (`submit`, `handleCopyInResponse`, ...) so that
 * the benchmark adds no dependency to the workspace. Text format: one line per
 * row, tab-separated, `\N` for NULL.
 */

/** The internal connection of a pg client, as far as COPY needs it. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

// Backslash first, so that the escapes added after it are not escaped again.
const escapes: [RegExp, string][] = [[/\\/g, '\\\\'], [/\t/g, '\\t'], [/\n/g, '\\n'], [/\r/g, '\\r']];
const special = /[\\\t\n\r]/;

/** One value in COPY text format; objects (JSON columns) are serialised first. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (special.test(text)) for (const [pattern, replacement] of escapes) text = text.replace(pattern, replacement);
  return text;
}

class CopyIn {
  callback?: (error: Error | null) => void;
  readonly #text: string;
  readonly #lines: () => Iterator<string>;
  #error: Error | undefined;

  constructor(text: string, lines: () => Iterator<string>) {
    this.#text = text;
    this.#lines = lines;
  }

  submit(connection: CopyConnection): void {
    connection.query(this.#text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.#pump(connection).catch((error: Error) => {
      this.#error ??= error;
      connection.sendCopyFail(error.message);
    });
  }

  /** Sends the lines in ~256 kB chunks, waiting for the socket to drain between them. */
  async #pump(connection: CopyConnection): Promise<void> {
    const lines = this.#lines();
    let chunk = '';
    for (let next = lines.next(); !next.done; next = lines.next()) {
      chunk += next.value;
      if (chunk.length >= 262_144) {
        connection.sendCopyFromChunk(Buffer.from(chunk));
        chunk = '';
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
    }
    if (chunk !== '') connection.sendCopyFromChunk(Buffer.from(chunk));
    connection.endCopyFrom();
  }

  handleError(error: Error): void {
    // pg drops the query after an error: ReadyForQuery will not reach it.
    this.callback?.(this.#error ?? error);
  }

  handleReadyForQuery(): void {
    this.callback?.(this.#error ?? null);
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * Runs `copy <table> (<columns>) from stdin` on `client` with one line per
 * element of `rows`, each made by `values` (in column order).
 */
export function copyFrom<T>(client: pg.PoolClient, table: string, columns: readonly string[], rows: readonly T[], values: (row: T) => readonly unknown[]): Promise<void> {
  const text = `copy ${table} (${columns.join(', ')}) from stdin`;
  function* lines(): Iterator<string> {
    for (const row of rows) yield `${values(row).map(copyValue).join('\t')}\n`;
  }
  return new Promise((resolve, reject) => {
    const query = new CopyIn(text, lines);
    query.callback = (error) => (error ? reject(error) : resolve());
    (client as unknown as { query(q: CopyIn): void }).query(query);
  });
}
