// The shape every preset has: one folder under src/presets/<id>/ exporting one of these, listed
// once in the registry (index.ts).
import type { Answers } from '../answers.js';
import type { Project } from '../pipeline/selection.js';
import type { AskContext } from '../questions.js';
import type { Renderer } from '../render/types.js';
import type { PresetId } from './ids.js';

/** Everything a preset may ask with: the scaffold's ask context plus where the repository is. */
export interface PresetAskContext extends AskContext {
  root: string;
}

/** One verify check of a preset, named after what it checks (e.g. `deb: installs in a clean container`). */
export interface PresetCheck {
  name: string;
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
  /** What to do after a first scaffold; absent: the generic PlatformIO text. */
  nextSteps?(a: Answers): string;
  /** Its checks for `verify` (empty: verify has none for it yet). */
  checks: readonly PresetCheck[];
}
