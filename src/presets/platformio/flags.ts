// What the command line knows of the PlatformIO preset. Its answers are the fields of Answers itself
// (the model predates presets), so its rows stay in the common table (src/cli/flags.ts) with their
// checks in CHECKS (src/answers.ts); this says which of them it asks.
import type { PresetEntry } from '../registry.js';

export const platformioFlags = {
  id: 'platformio' as const,
  displayName: 'PlatformIO firmware',
  detectedBy: 'platformio.ini',
  kind: 'a PlatformIO project',
  questions: ['envs', 'base-image', 'platformio-version', 'user', 'uid', 'gid', 'tools', 'runners', 'dev-runners', 'prod-runners', 'image', 'registry', 'platforms', 'ci', 'devcontainer', 'serial'],
  flagOnly: ['runner-labels', 'arc'],
  rows: [],
  load: async () => (await import('./index.js')).platformio,
} satisfies PresetEntry;
