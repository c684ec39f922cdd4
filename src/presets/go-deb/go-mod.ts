// Whether a folder holds go.mod (a regular file, no symlink followed). Imports nothing of the answers:
// the registry line's isProject uses it while the registry loads.
import { inspectPath } from '../../pipeline/apply.js';

export const hasGoMod = (dir: string) => inspectPath(dir, 'go.mod').kind === 'file';
