// Every preset id the --preset flag knows, in one leaf module (no imports) so that flag parsing and
// the answers model can name them without loading any preset's renderers. A preset listed here but
// not in the registry (index.ts) is refused with one line: "not implemented yet".
export const PRESET_IDS = ['platformio', 'go-deb', 'python-wheels'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** What `npm init pio-docker` builds when nothing else is detected or asked. */
export const DEFAULT_PRESET: PresetId = 'platformio';
