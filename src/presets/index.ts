// The presets, loaded: every line of the registry (registry.ts) with its renderers, questions and
// verify checks. Flag parsing never loads this module (it reads registry.ts); the subcommands that
// render, verify or detect do. Its top-level await loads each preset's folder once: a module a
// preset imports must not import this one (it would wait on itself; test/presets-registry.test.ts).
import { AnswersError, type Answers } from '../core/answers.js';
import { flagsNotTaken, presetsTaking } from '../cli/flags.js';
import { PRESET_IDS, REGISTRY, type PresetEntry, type PresetId } from './registry.js';
import type { Preset, PresetAskContext } from './types.js';

/** A flag the preset does not take is refused before it asks, rather than ignored. */
function refusingOtherFlags(p: Preset): Preset {
  const ask = (ctx: PresetAskContext) => {
    const other = flagsNotTaken(ctx.flags, p.id);
    if (other.length) {
      const named = other.map((a) => `--${a.name} (${presetsTaking(a.name).map((e) => e.id).join(', ')})`).join(', ');
      throw new AnswersError(`${named} ${other.length > 1 ? 'do' : 'does'} not apply to the ${p.id} preset; nothing was written`, other[0].name);
    }
    return p.ask(ctx);
  };
  return { ...p, ask };
}

export const PRESETS: readonly Preset[] = (await Promise.all((REGISTRY as readonly PresetEntry[]).map((e) => e.load()))).map(refusingOtherFlags);

export type { Preset, PresetAskContext, PresetCheck, PresetVerifyContext } from './types.js';
export { PRESET_IDS, DEFAULT_PRESET, type PresetId } from './registry.js';

/** The preset by id; an unknown id is an AnswersError (one line, exit 2). */
export function presetById(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id);
  if (p) return p;
  throw new AnswersError(`unknown preset "${id}" (known: ${PRESET_IDS.join(', ')}) (--preset)`, 'preset');
}

/** The preset of a set of answers. */
export const presetOf = (a: Answers): Preset => presetById(a.toolchain);

/** Every path any preset may generate. */
export const PRESET_PATHS: readonly string[] = [...new Set(PRESETS.flatMap((p) => p.paths))];

export function isPresetId(id: string): id is PresetId {
  return (PRESET_IDS as readonly string[]).includes(id);
}
