// The preset ids, from the registry (registry.ts), for modules that name the type.
export { DEFAULT_PRESET, PRESET_IDS, type PresetId } from './registry.js';
