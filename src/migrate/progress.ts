// Progress for long runs: a repository with hundreds of sets takes minutes of compose v2 checks.
// A line on stderr every few seconds (never on stdout, which carries the proposal and the dry-run
// output); runs shorter than that print nothing.
import { printableLine } from '../core/safety/text.js';

/** How often a line is printed; CPD_PROGRESS_MS changes it (tests, CI logs). */
const everyMs = () => {
  const n = Number(process.env.CPD_PROGRESS_MS);
  return Number.isFinite(n) && n > 0 ? n : 5000;
};

export interface Progress {
  /** How many sets are done, and the folder of the last one started or finished. */
  at(done: number, label: string): void;
  stop(): void;
}

export function progress(total: number, write: (s: string) => void = (s) => process.stderr.write(s)): Progress {
  const start = Date.now();
  let done = 0;
  let label = '';
  const timer = setInterval(() => {
    const s = Math.round((Date.now() - start) / 1000);
    write(`migrate: checked ${done} of ${total} sets, ${s} s so far (at ${printableLine(label)})\n`);
  }, everyMs());
  timer.unref();
  return {
    at(d, l) {
      done = d;
      label = l;
    },
    stop: () => clearInterval(timer),
  };
}
