// The scaffold's steps, shared by the Yeoman generator (in a terminal, where it prompts through
// Yeoman) and the CLI without a terminal (where nothing is ever prompted, so Yeoman and inquirer
// are not even loaded): read the project and the state, gather answers, plan, decide files in the
// way, apply. On an already scaffolded project this is `update` with the new answers.
import type { Answers } from '../core/answers.js';
import type { FlagAnswers } from '../cli/flags.js';
import { choosePreset } from './choose-preset.js';
import type { Question } from '../capabilities/questions.js';
import type { EnvChanges } from '../update/envs-diff.js';
import { printableLine } from '../core/safety/text.js';
import { CancelledError } from './cancel.js';
import { execute, plan, STDIO, type Output, type RunRequest } from './run.js';
import { deselectedOf, openProject, storedWithEnvChanges, type Project } from './selection.js';
import type { LoadedState } from './state.js';

export { CancelledError };

export interface ScaffoldOptions {
  flagAnswers?: FlagAnswers;
  yes?: boolean;
  force?: boolean;
  /** Ask questions in a terminal; false means a missing answer is an error. */
  interactive?: boolean;
  /** update's modes: print a diff / report staleness, write nothing. */
  dryRun?: boolean;
  check?: boolean;
}


export type Prompt = (q: Question) => Promise<unknown>;

const noPrompt: Prompt = async (q) => {
  throw new Error(`no terminal to ask "${q.message}" in`);
};

export class Scaffold {
  private project!: Project;
  /** The state as read: null when the project was never scaffolded. */
  loaded!: LoadedState | null;
  private envChanges!: EnvChanges | null;
  private stored?: Answers;
  /** Whether the chosen preset builds the envs of the project file (env changes, deselected envs). */
  private tracksEnvs = false;
  answers!: Answers;

  constructor(
    readonly dir: string,
    readonly options: ScaffoldOptions,
    readonly io: Output = STDIO,
  ) {}

  /** Where the generated files go: the repository root (the project may be in a subfolder). */
  root!: string;

  /** Finds the project, reads platformio.ini and the state file. */
  read(): void {
    ({ root: this.root, loaded: this.loaded, project: this.project } = openProject(this.dir));
    // Beside a dry run's diff (stdout), this goes to stderr.
    const say = this.options.dryRun ? this.io.err : this.io.out;
    if (this.project.projectDir !== '.') say(`${this.project.envs !== null ? 'PlatformIO project' : 'Project'} in ${printableLine(this.project.projectDir)}/: the files go to the repository root ${printableLine(this.root)}\n`);
    // Said at once, so that they come before any error the answers may still raise.
    const warnings = [...this.project.warnings];
    if (this.loaded && this.loaded.state.answers.toolchain === 'platformio' && this.project.envs === null) warnings.push(`no platformio.ini in ${this.project.projectDir === '.' ? this.root : `${this.root}/${this.project.projectDir}`}: the stored envs are kept`);
    for (const w of warnings) this.io.err(`warning: ${w}\n`);
    const { stored, envChanges } = storedWithEnvChanges(this.project, this.loaded);
    this.stored = stored;
    this.envChanges = this.options.flagAnswers?.envs ? null : envChanges;
  }

  async ask(prompt: Prompt = noPrompt): Promise<void> {
    const flags = this.options.flagAnswers ?? {};
    const yes = Boolean(this.options.yes);
    const interactive = Boolean(this.options.interactive);
    // The preset (--preset, stored, detected, asked) asks its own questions and renders its files.
    const preset = await choosePreset(this.root, this.project, { flag: flags.preset, stored: this.stored?.toolchain, yes, interactive, prompt });
    // Stored answers of another preset are no answers for this one.
    const stored = this.stored?.toolchain === preset.id ? this.stored : undefined;
    this.answers = await preset.ask({ flags, stored, project: this.project, yes, interactive, prompt, root: this.root });
    this.tracksEnvs = Boolean(preset.tracksEnvs);
    if (!this.tracksEnvs) this.envChanges = null;
  }

  /** Plans and writes; in a terminal, files in the way are decided one by one. Returns the exit code. */
  async write(prompt: Prompt = noPrompt): Promise<number> {
    const req: RunRequest = {
      root: this.root,
      answers: this.answers,
      deselectedEnvs: this.tracksEnvs ? deselectedOf(this.project, this.answers) : [],
      loaded: this.loaded,
      envChanges: this.envChanges,
      force: Boolean(this.options.force),
      dryRun: this.options.dryRun,
      check: this.options.check,
    };
    let p = plan(req);
    const inTheWay = p.blocking.filter((f) => f.status === 'IN THE WAY');
    // Symlinks and blocked paths are never asked about: they need a change by hand (or --force for a link).
    if (this.options.interactive && inTheWay.length && inTheWay.length === p.blocking.length) {
      const decisions = new Map<string, 'overwrite' | 'keep'>();
      for (const f of inTheWay) {
        const answer = await prompt({
          type: 'list',
          name: 'decision',
          message: `${f.path} exists and differs from what would be generated`,
          choices: [
            { name: 'keep mine (update merges later changes into it)', value: 'keep' },
            { name: 'overwrite it', value: 'overwrite' },
            { name: 'cancel: write nothing', value: 'cancel' },
          ],
        });
        if (answer === 'cancel') throw new CancelledError();
        decisions.set(f.path, answer as 'overwrite' | 'keep');
      }
      req.decisions = decisions;
      p = plan(req);
    }
    return execute(req, p, this.io, { firstRun: this.loaded === null });
  }
}

/** The whole scaffold without a terminal: no Yeoman, no prompt library loaded. */
export async function scaffoldWithoutTerminal(dir: string, options: ScaffoldOptions): Promise<number> {
  const s = new Scaffold(dir, { ...options, interactive: false });
  s.read();
  await s.ask();
  return s.write();
}
