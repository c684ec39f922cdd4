// How a run ends when the user stops it: at a prompt (nothing written), or by a signal during a
// write (the write is undone) or just after it (every file written in full). The CLI prints the
// message and exits 130 (a prompt) or 128 + the signal's number (SIGINT 130, SIGTERM 143, SIGHUP 129).
import { constants as osConstants } from 'node:os';
import { CpdError, EXIT } from '../core/errors.js';

/** 128 + the signal's number, as a shell reports a process the signal ended. */
const bySignal = (signal: NodeJS.Signals): number => 128 + osConstants.signals[signal];

/** The user cancelled at a prompt: nothing was written. */
export class CancelledError extends CpdError {
  readonly asIs = true;
  readonly exitCode = EXIT.cancelled;
  constructor() {
    super('Cancelled: nothing written.');
    this.name = 'CancelledError';
  }
}

/** A signal arrived while the files were being written: everything was put back. */
export class CancelledDuringApply extends CpdError {
  readonly asIs = true;
  readonly exitCode: number;
  constructor(readonly signal: NodeJS.Signals) {
    super(`Cancelled (${signal}): nothing written.`);
    this.name = 'CancelledDuringApply';
    this.exitCode = bySignal(signal);
  }
}

/** Cancelled by a signal after the files were written in full. */
export class CancelledAfterApply extends CpdError {
  readonly asIs = true;
  readonly exitCode: number;
  constructor(readonly signal: NodeJS.Signals) {
    super(`Cancelled (${signal}) after writing: every file above was written in full.`);
    this.name = 'CancelledAfterApply';
    this.exitCode = bySignal(signal);
  }
}
