// `create-pio-docker update [DIR]`: re-reads platformio.ini, takes the stored answers (and any
// answer flags given now), re-renders every artifact and merges it with the files on disk through
// the same pipeline as the scaffold (src/pipeline). Never prompts.
import type { FlagAnswers } from '../cli/flags.js';
import { execute, plan, STDIO, type Output } from '../pipeline/run.js';
import { deselectedOf, openProject, storedWithEnvChanges } from '../pipeline/selection.js';
import { STATE_FILE } from '../pipeline/state.js';
import { askAll } from '../questions.js';

export type { Output } from '../pipeline/run.js';

/** An input problem the user must fix (exit 2). */
export class UpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateError';
  }
}

export interface UpdateOptions {
  dryRun: boolean;
  check: boolean;
  force?: boolean;
  flagAnswers?: FlagAnswers;
}

/** Runs the update as the CLI does; returns the exit code (0 clean, 1 conflicts or stale, 2 input error). */
export async function updateCommand(dir: string, opts: UpdateOptions, io: Output = STDIO): Promise<number> {
  const { root, loaded, project } = openProject(dir);
  if (!loaded) throw new UpdateError(`${root} was never scaffolded (no ${STATE_FILE}): run create-pio-docker there first`);
  const warnings = [...project.warnings, ...(project.envs === null ? [`no platformio.ini in ${project.projectDir === '.' ? root : `${root}/${project.projectDir}`}: the stored envs are kept`] : [])];
  for (const w of warnings) io.err(`warning: ${w}\n`);
  const { stored, envChanges: changes } = storedWithEnvChanges(project, loaded);
  // --envs replaces the selection: what platformio.ini added since is not "added" then.
  const envChanges = opts.flagAnswers?.envs ? null : changes;
  const answers = await askAll({
    flags: opts.flagAnswers ?? {},
    stored,
    project,
    yes: false,
    interactive: false,
    prompt: async () => {
      throw new Error('update never prompts');
    },
  });
  const req = { root, answers, deselectedEnvs: deselectedOf(project, answers), loaded, envChanges, force: Boolean(opts.force), dryRun: opts.dryRun, check: opts.check };
  return execute(req, plan(req), io);
}
