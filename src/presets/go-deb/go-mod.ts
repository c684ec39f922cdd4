// Whether a folder holds go.mod (a regular file, no symlink followed; not read: detection looks at
// many folders). Imports nothing of the answers: the registry line's isProject uses it while the
// registry loads.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';

export const hasGoMod = (dir: string) => {
  try {
    return lstatSync(join(dir, 'go.mod')).isFile();
  } catch {
    return false; // missing, or a folder we may not look into (EACCES): no Go module here
  }
};
