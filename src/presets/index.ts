// The preset registry: one line per preset. Adding a preset is its folder plus one line here (and
// its id in ids.ts, which flag parsing reads without loading any preset).
import { AnswersError, type Answers } from '../answers.js';
import { goDeb } from './go-deb/index.js';
import { PRESET_IDS, type PresetId } from './ids.js';
import { platformio } from './platformio/index.js';
import { pythonWheels } from './python-wheels/index.js';
import type { Preset } from './types.js';

export const PRESETS: readonly Preset[] = [
  platformio,
  goDeb,
  pythonWheels,
];

export type { Preset, PresetAskContext, PresetCheck, PresetVerifyContext } from './types.js';
export { PRESET_IDS, DEFAULT_PRESET, type PresetId } from './ids.js';

/** The preset by id; an id without an implementation is an AnswersError (one line, exit 2). */
export function presetById(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id);
  if (p) return p;
  if ((PRESET_IDS as readonly string[]).includes(id)) {
    throw new AnswersError(`the ${id} preset is not implemented yet in this version (available: ${PRESETS.map((x) => x.id).join(', ')}); nothing was written`, 'preset');
  }
  throw new AnswersError(`unknown preset "${id}" (known: ${PRESET_IDS.join(', ')}) (--preset)`, 'preset');
}

/** The preset of a set of answers. */
export const presetOf = (a: Answers): Preset => presetById(a.toolchain);

/** Every path any preset may generate. */
export const PRESET_PATHS: readonly string[] = [...new Set(PRESETS.flatMap((p) => p.paths))];

export function isPresetId(id: string): id is PresetId {
  return (PRESET_IDS as readonly string[]).includes(id);
}
