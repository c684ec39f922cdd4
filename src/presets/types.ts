// The shape every preset has: one folder under src/presets/<id>/ exporting one of these, listed
// once in the registry (index.ts).
import type { Answers, EnvAnswer } from '../core/answers.js';
import type { AnswerSpec } from '../core/rows.js';
import type { AskContext } from '../capabilities/questions.js';
import type { Renderer } from '../capabilities/artifact.js';
import type { Report } from '../verify/report.js';
import type { Sandbox } from '../verify/sandbox.js';
import type { PresetId } from './ids.js';

/** What the scaffold read of the repository before choosing a preset (PlatformIO's envs among it). */
export interface Project {
  /** Folder name, the default project slug. */
  name: string;
  /** Envs read from platformio.ini (default_envs first), or null when there is none. */
  envs: EnvAnswer[] | null;
  defaults: string[];
  warnings: string[];
  /** The project folder relative to the repository root (`.`: the root). */
  projectDir: string;
}

/** Everything a preset may ask with: the scaffold's ask context plus where the repository is. */
export interface PresetAskContext extends AskContext {
  root: string;
}

/** One verify check of a preset, named after what it checks (e.g. `deb: installs in a clean container`). */
export interface PresetCheck {
  name: string;
}

/** What `verify` hands a preset's checks once the image targets are built. */
export interface PresetVerifyContext {
  a: Answers;
  /** The project as the user has it: checks copy it (Sandbox.hostDirs) before writing into it. */
  projectDir: string;
  /** Built image per Dockerfile target (absent: not built, or its build failed). */
  images: Partial<Record<string, string>>;
  sandbox: Sandbox;
  report: Report;
  timeoutMs: number;
  /** Network for containers that build (a toolchain or dependency download needs one). */
  buildNetwork: string;
  /** verify's --build-arg values (BASE_IMAGE, PIP_INDEX_URL, ...). */
  buildArgs: Record<string, string>;
}

export interface Preset {
  id: PresetId;
  displayName: string;
  /** True when the repository looks like this preset's kind of project (e.g. it has go.mod). */
  detect(root: string, project: Project): boolean;
  /** What the preset reads from the repository, as plain JSON (`project --json`). */
  read(root: string, project: Project): Record<string, unknown>;
  /** The answers (flags of the one table, src/cli/flags.ts ANSWERS) this preset asks, in order. */
  questions: readonly string[];
  /** Gathers the answers: flag > stored > --yes default > prompt, as askAll does for PlatformIO. */
  ask(ctx: PresetAskContext): Promise<Answers>;
  /** Preset-specific checks of validated common answers; throws AnswersError. */
  validate(a: Answers): void;
  /** Pure renderers: answers -> artifacts. */
  renderers: readonly Renderer[];
  /** Every path any of its renderers may produce (the only paths update may delete). */
  paths: readonly string[];
  /**
   * True when its build targets are the envs of the project file the scaffold read (Project.envs):
   * the scaffold then reports env changes and keeps the envs the user deselected.
   */
  tracksEnvs?: boolean;
  /** What to do after a first scaffold; absent: the generic PlatformIO text. */
  nextSteps?(a: Answers): string;
  /** The Dockerfile targets verify builds (absent: the targets of compose.images.yaml, else the leaves). */
  targets?: readonly string[];
  /** Mirror and proxy settings its builds take (build arguments), which verify reads as the scripts do: flag, environment, `.env`. */
  buildSettings: readonly string[];
  /** The names of its verify checks, in report order. */
  checks: readonly PresetCheck[];
  /** Runs its checks on the built images; each adds its result to the report under its name. */
  verify(v: PresetVerifyContext): Promise<void>;
}

/** What the command line knows of a preset, without loading it. */
export interface PresetEntry {
  id: string;
  /** What it builds, in a few words: the `--preset` prompt's choice and `project`'s output. */
  displayName: string;
  /** What detection looks for, for --help (e.g. `go.mod`). */
  detectedBy: string;
  /**
   * True when `dir` is this kind of project (e.g. holds go.mod): how the scaffold finds a project in
   * a subfolder of the repository (src/pipeline/location.ts). `segments`: `dir`'s path below where
   * the search began. Cheap and import-light: flag parsing loads it.
   */
  isProject?(dir: string, segments: readonly string[]): boolean;
  /** The kind of repository it is for, in a few words (e.g. `a Go module`). */
  kind: string;
  /** The answers it asks (flags of the one table), in order. */
  questions: readonly string[];
  /** Answers it takes from a flag only (never asked). */
  flagOnly?: readonly string[];
  /** Its own rows of the one answer table (answers no other preset has). */
  rows: readonly AnswerSpec[];
  /** Lines --help adds under the verify options for this preset (what verify passes on, ...). */
  verifyHelp?: readonly string[];
  /** Its defaults of common answers, as --help shows them, by flag (absent: the table's default). */
  shown?: Readonly<Record<string, string>>;
  /** The whole preset (renderers, verify, ...). */
  load(): Promise<Preset>;
}
