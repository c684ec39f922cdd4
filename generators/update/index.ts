// The `update` generator: the same non-interactive 3-way merge as `create-pio-docker update`,
// reachable as a Yeoman generator. It writes through the core, not through mem-fs: the merge has
// already decided every file, and Yeoman's conflicter would only ask again (and, without a
// terminal, end the process with exit 0).
import Generator, { type BaseOptions } from 'yeoman-generator';
import { updateCommand } from '../../src/update/update.js';

export interface UpdateGeneratorOptions {
  dryRun?: boolean;
  check?: boolean;
}

/** A non-zero result of the update (1 conflicts or out of date, 2 input error), for `env.run` callers. */
export class UpdateExit extends Error {
  constructor(readonly code: number) {
    super(code === 1 ? 'update left conflicts (or, with check, files are out of date): see the list above' : 'update could not run: see the error above');
    this.name = 'UpdateExit';
  }
}

export default class UpdateGenerator extends Generator<Record<string, unknown>, UpdateGeneratorOptions & BaseOptions> {
  exitCode = 0;

  async writing() {
    const log = (text: string) => this.log(text.replace(/\n$/, ''));
    this.exitCode = await updateCommand(this.destinationRoot(), { dryRun: Boolean(this.options.dryRun), check: Boolean(this.options.check) }, { out: log, err: log });
    if (this.exitCode !== 0) throw new UpdateExit(this.exitCode);
  }
}

export { UpdateGenerator };
