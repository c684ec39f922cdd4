// The names of python-wheels's verify checks (src/presets/python-wheels/verify.ts), in report order.
// Two carry the selected versions (`wheels: built for cp311, cp312`, one import check per version).
import type { PresetCheck } from '../types.js';

export const CHECK = {
  help: 'help: works without mounts',
  built: (tags: readonly string[]) => `wheels: built for ${tags.join(', ')}`,
  repaired: 'wheels: repaired (manylinux tag)',
  owner: 'output: owned by the checkout owner',
  imported: (tag: string) => `wheels: ${tag} installs and imports in a clean container`,
  cache: 'cache: second build downloads no pip package',
  stop: 'stop: docker stop ends the running command at once (exit 143)',
} as const;

export const CHECKS: readonly PresetCheck[] = [
  { name: CHECK.help },
  { name: CHECK.built(['cpXY', '...']) },
  { name: CHECK.repaired },
  { name: CHECK.owner },
  { name: CHECK.imported('cpXY') },
  { name: CHECK.cache },
  { name: CHECK.stop },
];
