// The `app` generator: the scaffold in a terminal, prompting through Yeoman. Every step is the
// shared Scaffold (src/pipeline/scaffold.ts): answers go to the one write pipeline, the same one
// `update` uses. Yeoman's own file writing (mem-fs and its conflicter) is not used: the pipeline
// decides every file, writes atomically and never follows a symlink.
import Generator, { type BaseOptions } from 'yeoman-generator';
import { Scaffold, type Prompt, type ScaffoldOptions } from '../../src/pipeline/scaffold.js';

export interface AppOptions extends ScaffoldOptions {
  /** The project folder: given explicitly, never searched for (Yeoman would climb to a parent's .yo-rc.json). */
  projectDir: string;
}

/** The run's result for the CLI: its exit code. */
export class GeneratorExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'GeneratorExit';
  }
}

export default class AppGenerator extends Generator<Record<string, never>, AppOptions & BaseOptions> {
  private scaffold!: Scaffold;
  private readonly promptOne: Prompt = async (q) => (await this.prompt([q as never]))[q.name];

  initializing() {
    this.scaffold = new Scaffold(this.options.projectDir, this.options);
    this.scaffold.read();
  }

  async prompting() {
    await this.scaffold.ask(this.promptOne);
  }

  async writing() {
    const code = await this.scaffold.write(this.promptOne);
    if (code !== 0) throw new GeneratorExit(code);
  }
}

export { AppGenerator };
export { CancelledError } from '../../src/pipeline/scaffold.js';
