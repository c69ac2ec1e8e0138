import { SingleBar } from 'cli-progress';

/** Reports how far a long job is. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress display on stderr, so stdout carries only the report: a live bar
 * on a terminal, otherwise (CI logs, pipes) one line per 10% instead of a log
 * full of carriage returns.
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, hideCursor: true });
    let started = false;
    return {
      update(done, total) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = 0;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
      if (tenth > lastTenth) stream.write(`${label}: ${done}/${total} (${tenth * 10}%)\n`);
      lastTenth = tenth;
    },
    stop() {},
  };
}
