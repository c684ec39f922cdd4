// The preset registry: one line per preset, the first one is the default (`npm init pio-docker`).
// Each line is what the command line knows of a preset (src/presets/<id>/flags.ts: id, name, its
// answer rows, its defaults as --help shows them) and how to load the rest of it. Flag parsing reads
// this without loading any renderer; the full presets (index.ts) are loaded from here.
import type { PresetEntry } from './types.js';
import { platformioFlags } from './platformio/flags.js';
import { goDebFlags } from './go-deb/flags.js';
import { pythonWheelsFlags } from './python-wheels/flags.js';

export const REGISTRY = [platformioFlags, goDebFlags, pythonWheelsFlags] as const;

export type { PresetEntry } from './types.js';

export type PresetId = (typeof REGISTRY)[number]['id'];
export const PRESET_IDS: readonly PresetId[] = REGISTRY.map((e) => e.id);
export const DEFAULT_PRESET: PresetId = REGISTRY[0].id;

/** The registry line of a known id. */
export const entryOf = (id: string): PresetEntry | undefined => (REGISTRY as readonly PresetEntry[]).find((e) => e.id === id);

/** The flags a preset takes: the common ones, its questions and its flag-only answers. */
export function presetFlags(e: PresetEntry): string[] {
  return [...e.questions, ...(e.flagOnly ?? [])];
}
