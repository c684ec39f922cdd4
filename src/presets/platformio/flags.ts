// What the command line knows of the PlatformIO preset. Its answers are the fields of Answers itself
// (the model predates presets), so its rows stay in the common table (src/cli/flags.ts) with their
// checks in CHECKS (src/core/answers.ts); this says which of them it asks.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { PresetEntry } from '../types.js';

/** platformio.ini as a regular file (a symlink is not followed). */
const hasIni = (dir: string) => {
  try {
    return lstatSync(join(dir, 'platformio.ini')).isFile();
  } catch {
    return false;
  }
};

export const platformioFlags = {
  id: 'platformio' as const,
  displayName: 'PlatformIO firmware',
  detectedBy: 'platformio.ini',
  kind: 'a PlatformIO project',
  isProject: hasIni,
  questions: ['envs', 'base-image', 'platformio-version', 'user', 'uid', 'gid', 'tools', 'runners', 'dev-runners', 'prod-runners', 'image', 'registry', 'platforms', 'ci', 'devcontainer', 'serial'],
  flagOnly: ['runner-labels', 'arc'],
  rows: [],
  load: async () => (await import('./index.js')).platformio,
} satisfies PresetEntry;
