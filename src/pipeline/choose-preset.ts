// Which preset a run uses: --preset > the stored answer > what the repository looks like (one kind
// found) > a question in a terminal (several found) > PlatformIO (`npm init pio-docker`'s default).
import { AnswersError } from '../core/answers.js';
import type { Project } from './selection.js';
import type { Question } from '../capabilities/questions.js';
import { presetById, PRESETS, type Preset } from '../presets/index.js';
import { DEFAULT_PRESET, entryOf, PRESET_IDS, type PresetId } from '../presets/registry.js';

/** The presets the repository looks like, in registry order. */
export function detectPresets(root: string, project: Project): PresetId[] {
  return PRESETS.filter((p) => p.detect(root, project)).map((p) => p.id);
}

export interface ChooseContext {
  flag?: PresetId;
  stored?: PresetId;
  yes: boolean;
  interactive: boolean;
  prompt(q: Question): Promise<unknown>;
}

export async function choosePreset(root: string, project: Project, ctx: ChooseContext): Promise<Preset> {
  if (ctx.flag) return presetById(ctx.flag);
  if (ctx.stored) return presetById(ctx.stored);
  const found = detectPresets(root, project);
  if (found.length === 0) return presetById(DEFAULT_PRESET);
  if (found.length === 1) return presetById(found[0]);
  if (ctx.interactive && !ctx.yes) {
    const answer = await ctx.prompt({
      type: 'list',
      name: 'preset',
      message: `This repository looks like several kinds of project (${found.join(', ')}). What should the Docker setup build?`,
      choices: found.map((id) => ({ name: `${id}: ${entryOf(id)?.displayName ?? id}`, value: id })),
      validate: (raw) => ((PRESET_IDS as readonly string[]).includes(String(raw)) ? true : 'pick one of the list'),
    });
    return presetById(String(answer));
  }
  if (ctx.yes) return presetById(found[0]);
  throw new AnswersError(`this repository looks like several kinds of project (${found.join(', ')}): pass --preset ${found.join('|')}`, 'preset');
}
