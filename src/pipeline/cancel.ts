// How a run ends when the user stops it: at a prompt (nothing written) or by a signal during a
// write (held until every file was written in full). The CLI prints the message and exits 130.
import { CpdError, EXIT } from '../core/errors.js';

/** The user cancelled at a prompt: nothing was written. */
export class CancelledError extends CpdError {
  readonly exitCode = EXIT.cancelled;
  constructor() {
    super('Cancelled: nothing written.');
    this.name = 'CancelledError';
  }
}

/** Cancelled by a signal after the files were written in full. */
export class CancelledAfterApply extends CpdError {
  readonly exitCode = EXIT.cancelled;
  constructor(readonly signal: string) {
    super(`Cancelled (${signal}) after writing: every file above was written in full.`);
    this.name = 'CancelledAfterApply';
  }
}
