import { Worker } from 'node:worker_threads';

/** What one timed run of one side of a phase gives. */
export interface Sample {
  /** Operations completed (rows for an import, queries for a read). */
  ops: number;
  /** Wall time in milliseconds. */
  ms: number;
  /** Operations per second. */
  opsPerSec: number;
  /** Highest RSS seen during the run, in bytes above the RSS at its start (after GC). */
  rssPeak: number;
  /** Highest `heapUsed` seen during the run, in bytes above the heap at its start (after GC). */
  heapPeak: number;
}

/** Median of a non-empty list (the mean of the two middle values for an even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs a full garbage collection when node was started with `--expose-gc`. */
export function collectGarbage(): void {
  globalThis.gc?.();
  globalThis.gc?.();
}

// The sampler runs in a worker because a synchronous loop (a better-sqlite3
// transaction, an import awaiting only microtasks) never lets a timer of the
// main thread fire; RSS is per process, so the worker sees the main thread's.
const samplerSource = `
const { workerData } = require('node:worker_threads');
const peak = new Int32Array(workerData);
setInterval(() => {
  const kb = Math.round(process.memoryUsage.rss() / 1024);
  if (kb > Atomics.load(peak, 0)) Atomics.store(peak, 0, kb);
}, 2);
`;

/**
 * Peak memory of a stretch of work. RSS is sampled every 2 ms by a worker
 * thread; the heap can only be read on the main thread, so it is sampled by
 * {@link MemoryProbe.sample} calls that the timed loops make between
 * operations (and once when a run ends).
 */
export class MemoryProbe {
  readonly #peakKb = new Int32Array(new SharedArrayBuffer(4));
  readonly #worker: Worker;
  #rssBase = 0;
  #heapBase = 0;
  #heapPeak = 0;

  constructor() {
    this.#worker = new Worker(samplerSource, { eval: true, workerData: this.#peakKb.buffer });
    this.#worker.on('error', (error) => console.error('memory sampler failed:', error));
    this.#worker.unref();
  }

  /** Collects garbage and starts a new measurement from the memory in use now. */
  reset(): void {
    collectGarbage();
    const now = process.memoryUsage();
    this.#rssBase = now.rss;
    this.#heapBase = now.heapUsed;
    this.#heapPeak = now.heapUsed;
    Atomics.store(this.#peakKb, 0, Math.round(now.rss / 1024));
  }

  /** Records the heap in use now. */
  sample(): void {
    const heap = process.memoryUsage().heapUsed;
    if (heap > this.#heapPeak) this.#heapPeak = heap;
  }

  /** Peaks since {@link reset}, in bytes above the memory in use then. */
  peaks(): { rss: number; heap: number } {
    this.sample();
    const rss = Math.max(Atomics.load(this.#peakKb, 0) * 1024, process.memoryUsage.rss());
    return { rss: Math.max(0, rss - this.#rssBase), heap: Math.max(0, this.#heapPeak - this.#heapBase) };
  }

  /** Stops the sampler thread. */
  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

/** A timed body: performs `ops` operations and may call `sample` between them. */
export type Body = (sample: () => void) => Promise<void> | void;

/**
 * Times one run of `body` from a collected heap, recording its peak memory.
 * The loops call `sample` every {@link sampleEvery} operations, the same on both
 * sides, so that heap sampling costs both the same.
 */
export async function measure(probe: MemoryProbe, ops: number, body: Body): Promise<Sample> {
  probe.reset();
  const start = performance.now();
  await body(() => probe.sample());
  const ms = performance.now() - start;
  const { rss, heap } = probe.peaks();
  return { ops, ms, opsPerSec: (ops * 1000) / ms, rssPeak: rss, heapPeak: heap };
}

/** How many operations the read loops run between two heap samples. */
export const sampleEvery = 1024;

/** The median figures of several runs of one side: median throughput, highest peaks. */
export interface Summary {
  opsPerSec: number;
  rssPeak: number;
  heapPeak: number;
}

/** Summarises runs: the median ops/s (robust to a noisy round) and the highest memory peaks. */
export function summarize(samples: readonly Sample[]): Summary {
  return {
    opsPerSec: median(samples.map((s) => s.opsPerSec)),
    rssPeak: Math.max(...samples.map((s) => s.rssPeak)),
    heapPeak: Math.max(...samples.map((s) => s.heapPeak)),
  };
}

/**
 * Runs both sides `rounds` times, alternating which goes first so that neither
 * always inherits the other's warm caches or leftover garbage, and summarises
 * each side's runs.
 */
export async function interleave(
  rounds: number,
  crmkit: (round: number) => Promise<Sample>,
  raw: (round: number) => Promise<Sample>,
): Promise<{ crmkit: Summary; raw: Summary }> {
  const runs = { crmkit: [] as Sample[], raw: [] as Sample[] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      runs.crmkit.push(await crmkit(round));
      runs.raw.push(await raw(round));
    } else {
      runs.raw.push(await raw(round));
      runs.crmkit.push(await crmkit(round));
    }
  }
  return { crmkit: summarize(runs.crmkit), raw: summarize(runs.raw) };
}
