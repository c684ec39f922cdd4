// Progress for long runs: a repository with hundreds of sets takes minutes of compose v2 checks.
// A line on stderr every few seconds (never on stdout, which carries the proposal and the dry-run
// output); runs shorter than that print nothing.
import { printableLine } from '../safety/text.js';

/** How often a line is printed; CPD_PROGRESS_MS changes it (tests, CI logs). */
const everyMs = () => {
  const n = Number(process.env.CPD_PROGRESS_MS);
  return Number.isFinite(n) && n > 0 ? n : 5000;
};

export interface Progress {
  /** The set now being checked (0-based) and its folder. */
  at(index: number, label: string): void;
  stop(): void;
}

export function progress(total: number, write: (s: string) => void = (s) => process.stderr.write(s)): Progress {
  const start = Date.now();
  let index = 0;
  let label = '';
  const timer = setInterval(() => {
    const s = Math.round((Date.now() - start) / 1000);
    write(`migrate: checking set ${index + 1} of ${total} (${printableLine(label)}), ${s} s so far\n`);
  }, everyMs());
  timer.unref();
  return {
    at(i, l) {
      index = i;
      label = l;
    },
    stop: () => clearInterval(timer),
  };
}
