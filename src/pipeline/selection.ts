// Which envs a run generates for: what platformio.ini defines now, what was chosen last time, and
// what the user chose NOT to build (kept out by every later run). New envs come in and are reported.
import { basename } from 'node:path';
import { AnswersError, type Answers, type EnvAnswer } from '../core/answers.js';
import { projectEnvs } from '../presets/platformio/ini/index.js';
import { diffEnvs, type EnvChanges } from '../update/envs-diff.js';
import { inspectPath } from './apply.js';
import { locate, projectFolder } from './location.js';
import { loadState, type LoadedState } from './state.js';
import type { Project } from '../presets/types.js';

export type { Project } from '../presets/types.js';

/** platformio.ini of the project in `projectDir` (relative to `root`); the project is named after the root. */
export function readProject(root: string, projectDir = '.'): Project {
  const name = basename(root);
  if (inspectPath(root, projectDir === '.' ? 'platformio.ini' : `${projectDir}/platformio.ini`).kind === 'absent') return { name, envs: null, defaults: [], warnings: [], projectDir };
  const { envs, defaults, warnings } = projectEnvs(projectFolder(root, projectDir), root);
  if (envs.length === 0) throw new AnswersError('platformio.ini defines no [env:NAME] section: pass --envs NAME[:BOARD],...', 'envs');
  return { name, envs, defaults, warnings, projectDir };
}

/** Everything a run reads before asking: where the repo and the project are, the state, platformio.ini. */
export function openProject(dir: string): { root: string; loaded: LoadedState | null; project: Project } {
  const loc = locate(dir);
  const loaded = loadState(loc.root);
  const projectDir = loc.projectDir ?? loaded?.state.answers.projectDir ?? '.';
  return { root: loc.root, loaded, project: readProject(loc.root, projectDir) };
}

/**
 * The stored answers with their envs brought up to date with platformio.ini: stored order kept,
 * renames in place, new envs appended, removed ones dropped, deselected ones left out.
 */
export function storedWithEnvChanges(project: Project, loaded: LoadedState | null): { stored?: Answers; envChanges: EnvChanges | null } {
  if (!loaded) return { envChanges: null };
  const stored = loaded.state.answers;
  if (project.envs === null) return { stored, envChanges: null };
  const out = new Set(loaded.state.deselectedEnvs);
  const envChanges = diffEnvs(stored.envs, project.envs.filter((e) => !out.has(e.name)), project.defaults);
  return { stored: { ...stored, envs: envChanges.envs }, envChanges };
}

/** Envs platformio.ini defines that the answers leave out: the next run keeps them out. */
export function deselectedOf(project: Project, answers: Answers): string[] {
  if (project.envs === null) return [];
  const chosen = new Set(answers.envs.map((e) => e.name));
  return project.envs.map((e) => e.name).filter((n) => !chosen.has(n));
}
