// The `app` generator: gathers answers (flags, stored answers, prompts) and hands them to the one
// write pipeline (src/pipeline), the same one `update` uses. Yeoman's own file writing (mem-fs
// and its conflicter) is not used: the pipeline decides every file, writes atomically and never
// follows a symlink. On an already scaffolded project this is `update` with the new answers.
import Generator, { type BaseOptions } from 'yeoman-generator';
import type { Answers } from '../../src/answers.js';
import type { FlagAnswers } from '../../src/cli/flags.js';
import { execute, plan, type RunRequest } from '../../src/pipeline/run.js';
import { deselectedOf, readProject, storedWithEnvChanges, type Project } from '../../src/pipeline/selection.js';
import { loadState, type LoadedState } from '../../src/pipeline/state.js';
import { askAll, type Question } from '../../src/questions.js';
import type { EnvChanges } from '../../src/update/envs-diff.js';

export interface AppOptions {
  /** The project folder: given explicitly, never searched for (Yeoman would climb to a parent's .yo-rc.json). */
  projectDir: string;
  flagAnswers?: FlagAnswers;
  yes?: boolean;
  force?: boolean;
  /** Ask questions in a terminal; false means a missing answer is an error. */
  interactive?: boolean;
}

/** The run's result for the CLI: its exit code. */
export class GeneratorExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'GeneratorExit';
  }
}

export default class AppGenerator extends Generator<Record<string, never>, AppOptions & BaseOptions> {
  private project!: Project;
  private loaded!: LoadedState | null;
  private envChanges!: EnvChanges | null;
  private stored?: Answers;
  answers!: Answers;
  exitCode = 0;

  initializing() {
    const dir = this.options.projectDir;
    this.loaded = loadState(dir);
    this.project = readProject(dir);
    const { stored, envChanges } = storedWithEnvChanges(this.project, this.loaded);
    this.stored = stored;
    this.envChanges = this.options.flagAnswers?.envs ? null : envChanges;
  }

  async prompting() {
    this.answers = await askAll({
      flags: this.options.flagAnswers ?? {},
      stored: this.stored,
      project: this.project,
      yes: Boolean(this.options.yes),
      interactive: Boolean(this.options.interactive),
      prompt: async (q: Question) => (await this.prompt([q as never]))[q.name],
    });
  }

  async writing() {
    const req: RunRequest = {
      root: this.options.projectDir,
      answers: this.answers,
      deselectedEnvs: deselectedOf(this.project, this.answers),
      loaded: this.loaded,
      envChanges: this.envChanges,
      force: Boolean(this.options.force),
      warnings: this.project.warnings,
    };
    let p = plan(req);
    const inTheWay = p.blocking.filter((f) => f.status === 'IN THE WAY');
    // In a terminal, files in the way are decided one by one (symlinks and blocked paths are not:
    // they need a change by hand, or --force for a link).
    if (this.options.interactive && inTheWay.length && inTheWay.length === p.blocking.length) {
      const decisions = new Map<string, 'overwrite' | 'keep'>();
      for (const f of inTheWay) {
        const q = { type: 'list', name: 'decision', message: `${f.path} exists and differs from what would be generated`, choices: [
          { name: 'keep mine (update merges later changes into it)', value: 'keep' },
          { name: 'overwrite it', value: 'overwrite' },
          { name: 'cancel: write nothing', value: 'cancel' },
        ] };
        const answer = (await this.prompt([q as never]))['decision'];
        if (answer === 'cancel') throw new CancelledError();
        decisions.set(f.path, answer);
      }
      req.decisions = decisions;
      p = plan(req);
    }
    this.exitCode = execute(req, p, undefined, { firstRun: this.loaded === null });
    if (this.exitCode !== 0) throw new GeneratorExit(this.exitCode);
  }
}

/** The user cancelled at a prompt: nothing was written. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled: nothing written.');
    this.name = 'CancelledError';
  }
}

export { AppGenerator };
