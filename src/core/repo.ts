// Paths in the user's repository that every layer needs: its git root, a project folder in it.
import { lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';

const exists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** The nearest folder from `dir` upwards that holds `.git` (a folder or a worktree's file), or null. */
export function gitRoot(dir: string): string | null {
  for (let d = dir, i = 0; i < 64; i++) {
    if (exists(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
  return null;
}

/** The absolute project folder for a root and a relative project dir. */
export const projectFolder = (root: string, projectDir: string) => (projectDir === '.' ? root : join(root, ...projectDir.split('/')));
