/**
 * Where a command writes. The binary passes the process's streams; tests pass
 * fakes, so every command runs in-process with its output captured.
 */
export interface CliIo {
  /** Results: reports, duplicate pairs, exported data when the file is `-`. */
  stdout: NodeJS.WritableStream;
  /** Progress and messages. A progress bar is drawn only when it is a TTY. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Input when the import file is `-`. @default process.stdin */
  stdin?: NodeJS.ReadableStream;
  /** Milliseconds between two plain progress lines when stderr is not a TTY. @default 2000 */
  progressIntervalMs?: number;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Writes one line to a stream. */
export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}
