// `create-pio-docker project [DIR] --json`: which preset the repository is (stored, else detected)
// and what that preset reads from it, without writing anything.
import { AnswersError } from '../core/answers.js';
import { openProject } from '../pipeline/selection.js';
import { printable, printableLine } from '../core/safety/text.js';
import { detectPresets } from '../pipeline/choose-preset.js';
import { presetById } from '../presets/index.js';
import { DEFAULT_PRESET, REGISTRY, type PresetEntry } from '../presets/registry.js';

export async function projectCommand(dir: string, opts: { json: boolean }): Promise<number> {
  const { root, loaded, project } = openProject(dir);
  const detected = detectPresets(root, project);
  // Nothing to describe: say so, rather than print an empty PlatformIO project.
  if (!loaded && detected.length === 0) {
    const kinds = (REGISTRY as readonly PresetEntry[]).map((e) => e.detectedBy).join('; ');
    throw new AnswersError(`no project found in ${printableLine(dir)} (it looks for ${kinds}, in the folder and up to 3 folders below) and it was never scaffolded`);
  }
  const id = loaded?.state.answers.toolchain ?? (detected.length === 1 ? detected[0] : DEFAULT_PRESET);
  const preset = presetById(id);
  const out = { preset: preset.id, detected, scaffolded: loaded !== null, read: preset.read(root, project) };
  if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else process.stdout.write(printable(`preset: ${preset.id} (${preset.displayName})${loaded ? ', scaffolded' : ''}; detected: ${detected.join(', ') || 'nothing'}\n${JSON.stringify(out.read, null, 2)}\n`));
  return 0;
}
