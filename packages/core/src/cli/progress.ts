import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

/** One progress reading. */
export interface ProgressReading {
  /** Rows done. */
  rows: number;
  /** Rows per second so far. */
  rowsPerSecond: number;
  /** How far along, in the unit of `total` (bytes read, rows), when the total is known. */
  value?: number;
}

/** Shows a long command's progress on stderr. */
export interface ProgressView {
  update(reading: ProgressReading): void;
  /** Ends the view: the bar's last state stays on screen, or a last plain line is written. */
  stop(): void;
}

/**
 * A progress bar with rate and ETA when stderr is a terminal; otherwise (a
 * pipe, a CI log) a plain line now and then, since redrawn bars turn into
 * thousands of lines in a log file.
 * @param total the end of `value` (file size in bytes, rows to export), when known: gives the percentage and ETA
 */
export function progressView(io: CliIo, label: string, total: number | undefined): ProgressView {
  if (io.stderr.isTTY === true) return barView(io, label, total);
  return lineView(io, label, total);
}

function barView(io: CliIo, label: string, total: number | undefined): ProgressView {
  const known = total !== undefined && total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: known
        ? `${label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`
        : `${label} {rows} rows | {rate} rows/s | {duration_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(known ? total : 1, 0, { rows: 0, rate: 0 });
  let stopped = false;
  return {
    update(reading) {
      const payload = { rows: reading.rows, rate: Math.round(reading.rowsPerSecond) };
      if (known) bar.update(Math.min(reading.value ?? 0, total), payload);
      else bar.update(payload);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (known) bar.update(total);
      bar.stop();
    },
  };
}

function lineView(io: CliIo, label: string, total: number | undefined): ProgressView {
  const interval = io.progressIntervalMs ?? 2000;
  let pending: string | undefined;
  let shown: string | undefined;
  let shownAt = -Infinity;
  const line = (reading: ProgressReading): string => {
    const share = total !== undefined && total > 0 && reading.value !== undefined ? ` (${Math.min(100, Math.round((reading.value / total) * 100))}%)` : '';
    return `${label}: ${reading.rows} rows${share}, ${Math.round(reading.rowsPerSecond)} rows/s\n`;
  };
  const show = (text: string) => {
    // The same line twice (a last reading equal to the one shown) says nothing new.
    if (text !== shown) io.stderr.write(text);
    shown = text;
    pending = undefined;
  };
  return {
    update(reading) {
      pending = line(reading);
      const now = performance.now();
      if (now - shownAt < interval) return;
      shownAt = now;
      show(pending);
    },
    stop() {
      if (pending !== undefined) show(pending);
    },
  };
}
