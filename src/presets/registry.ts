// The preset registry: one line per preset, the first one is the default (`npm init pio-docker`).
// Each line is what the command line knows of a preset (src/presets/<id>/flags.ts: id, name, its
// answer rows, its defaults as --help shows them) and how to load the rest of it. Flag parsing reads
// this without loading any renderer; the full presets (index.ts) are loaded from here.
import type { AnswerSpec } from '../core/rows.js';
import type { Preset } from './types.js';
import { platformioFlags } from './platformio/flags.js';
import { goDebFlags } from './go-deb/flags.js';
import { pythonWheelsFlags } from './python-wheels/flags.js';

export const REGISTRY = [platformioFlags, goDebFlags, pythonWheelsFlags] as const;

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

export type PresetId = (typeof REGISTRY)[number]['id'];
export const PRESET_IDS: readonly PresetId[] = REGISTRY.map((e) => e.id);
export const DEFAULT_PRESET: PresetId = REGISTRY[0].id;

/** The registry line of a known id. */
export const entryOf = (id: string): PresetEntry | undefined => (REGISTRY as readonly PresetEntry[]).find((e) => e.id === id);

/** The flags a preset takes: the common ones, its questions and its flag-only answers. */
export function presetFlags(e: PresetEntry): string[] {
  return [...e.questions, ...(e.flagOnly ?? [])];
}
