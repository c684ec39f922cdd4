// `create-pio-docker update [DIR]`: re-reads platformio.ini, takes the stored answers (and any
// answer flags given now), re-renders every artifact and merges it with the files on disk through
// the same pipeline as the scaffold (src/pipeline). Never prompts.
import type { FlagAnswers } from '../cli/flags.js';
import { STDIO, type Output } from '../pipeline/run.js';
import { Scaffold } from '../pipeline/scaffold.js';
import { STATE_FILE } from '../pipeline/state.js';
import { CpdError, EXIT } from '../core/errors.js';

export type { Output } from '../pipeline/run.js';

/** An input problem the user must fix (exit 2). */
export class UpdateError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(message: string) {
    super(message);
    this.name = 'UpdateError';
  }
}

export interface UpdateOptions {
  dryRun: boolean;
  check: boolean;
  force?: boolean;
  /** Defaults for answers neither stored nor given (e.g. runner counts when turning runners on). */
  yes?: boolean;
  flagAnswers?: FlagAnswers;
}

/** Runs the update as the CLI does; returns the exit code (0 clean, 1 conflicts or stale, 2 input error). */
export async function updateCommand(dir: string, opts: UpdateOptions, io: Output = STDIO): Promise<number> {
  // The scaffold's own steps, never prompting, on a project that must have been scaffolded.
  const s = new Scaffold(dir, { flagAnswers: opts.flagAnswers, yes: opts.yes, force: opts.force, dryRun: opts.dryRun, check: opts.check, interactive: false }, io);
  s.read();
  if (!s.loaded) throw new UpdateError(`${s.root} was never scaffolded (no ${STATE_FILE}): run create-pio-docker there first`);
  await s.ask();
  return s.write();
}
