// The `app` generator: gathers answers (flags, stored answers, prompts) and writes the artifacts.
// All content comes from src/render: this class only decides what to ask and what to write.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { AnswersError, type Answers } from '../../src/answers.js';
import type { FlagAnswers } from '../../src/cli/flags.js';
import { projectEnvs } from '../../src/platformio/index.js';
import { TOOL_VERSION } from '../../src/paths.js';
import { renderAll, type Artifact } from '../../src/render/index.js';
import { basePath, readBase } from '../../src/state.js';
import { askAll, type ProjectInfo, type Question } from './prompts.js';

export interface AppOptions {
  flagAnswers?: FlagAnswers;
  yes?: boolean;
  force?: boolean;
  /** Ask questions in a terminal; false means a missing answer is an error. */
  interactive?: boolean;
}

/** Where answers live in .yo-rc.json (under the package name). */
export interface StoredState {
  answers?: Answers;
  toolVersion?: string;
}

export class ConflictError extends Error {
  constructor(readonly files: string[]) {
    super(`these files exist and differ from what would be generated:\n${files.map((f) => `  ${f}`).join('\n')}\nNothing was written. Re-run with --force to overwrite them, or in a terminal to decide file by file.`);
    this.name = 'ConflictError';
  }
}

export function readProject(dir: string): ProjectInfo {
  const name = basename(dir);
  if (!existsSync(join(dir, 'platformio.ini'))) return { name, envs: null };
  const { envs, warnings } = projectEnvs(dir);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (envs.length === 0) throw new AnswersError('platformio.ini defines no [env:NAME] section: pass --envs NAME[:BOARD],...', 'envs');
  return { name, envs };
}

export default class AppGenerator extends Generator<StoredState, AppOptions & BaseOptions> {
  private project!: ProjectInfo;
  answers!: Answers;
  artifacts!: Artifact[];

  initializing() {
    this.project = readProject(this.destinationRoot());
  }

  async prompting() {
    const stored = this.config.getAll() as StoredState;
    this.answers = await askAll({
      flags: this.options.flagAnswers ?? {},
      stored: stored.answers,
      project: this.project,
      yes: Boolean(this.options.yes),
      interactive: Boolean(this.options.interactive),
      prompt: async (q: Question) => (await this.prompt([q as never]))[q.name],
    });
  }

  writing() {
    this.artifacts = renderAll(this.answers);
    const root = this.destinationRoot();
    if (!this.options.interactive && !this.options.force) {
      // A file is the team's when it differs both from what we would write now and from what we
      // wrote last time; only those need consent.
      const conflicts = this.artifacts.filter((f) => {
        const path = this.destinationPath(f.path);
        if (!existsSync(path)) return false;
        const onDisk = readFileSync(path, 'utf8');
        return onDisk !== f.content && onDisk !== readBase(root, f.path);
      });
      if (conflicts.length) throw new ConflictError(conflicts.map((f) => f.path));
    }
    for (const f of this.artifacts) {
      // mem-fs-editor 12 takes the mode as write options `{ stat: { mode } }`.
      this.fs.write(this.destinationPath(f.path), f.content, f.executable ? ({ stat: { mode: 0o755 } } as never) : undefined);
      this.fs.write(this.destinationPath(basePath(f.path)), f.content);
    }
    const state: StoredState = { answers: this.answers, toolVersion: TOOL_VERSION };
    this.config.set(state);
  }
}

export { AppGenerator };
