// Where the project is (platformio.ini, go.mod, a Python package with extensions) and where the
// generated files go. Real repos often keep it in a subfolder (`src/`, `firmware/`, `go/`, `python/`): the generated files then belong at the
// repository root (GitHub reads workflows only from the root's .github/, and the build must see the
// whole repo, e.g. `extra_scripts = pre:../scripts/x.py`), and the build runs in the subfolder.
// Run from the root or from the subfolder, the answer is the same.
import { lstatSync, readdirSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { UsageError } from '../core/rows.js';
import { STATE_FILE } from '../core/paths.js';
import { gitRoot } from '../core/repo.js';
import { printableLine } from '../core/safety/text.js';
import { DEFAULT_PRESET, REGISTRY, type PresetEntry } from '../presets/registry.js';

export interface Location {
  /** Where the generated files and the state file go: the repository root. */
  root: string;
  /**
   * The project folder relative to root, `/`-separated; `.` when it is the root; null
   * when the root holds the state file: then the stored answer says where the project is.
   */
  projectDir: string | null;
}

const isFile = (p: string) => {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
};
// Folders never searched for a project: VCS, dependencies, build output, hidden ones.
const SKIP = new Set(['node_modules', 'vendor', 'build', 'dist']);
const MAX_DEPTH = 3;
const MAX_DIRS = 2000;

/**
 * Which preset's kind of project a folder is: the first registry line whose isProject recognises it
 * (platformio.ini, go.mod, a Python package with extensions, ...); null: none.
 */
function kindOf(dir: string, segments: readonly string[] = []): string | null {
  return (REGISTRY as readonly PresetEntry[]).find((e) => isProject(e, dir, segments))?.id ?? null;
}

/** A folder we may not look into (EACCES in /proc, ENOTDIR) holds no project; a file too large to read still stops the run. */
function isProject(e: PresetEntry, dir: string, segments: readonly string[]): boolean {
  try {
    return e.isProject?.(dir, segments) ?? false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall) return false;
    throw err;
  }
}

/** Folders below `dir` (depth ≤ 3, no symlinks, no hidden ones) that are a project, with their kind. */
function projectsBelow(dir: string): { dir: string; kind: string }[] {
  const found: { dir: string; kind: string }[] = [];
  let seen = 0;
  const walk = (d: string, depth: number, segments: string[]) => {
    if (depth > MAX_DEPTH || seen++ > MAX_DIRS) return;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const sub = join(d, e.name);
      const kind = kindOf(sub, [...segments, e.name]);
      if (kind) found.push({ dir: sub, kind });
      else walk(sub, depth + 1, [...segments, e.name]);
    }
  };
  walk(dir, 1, []);
  return found.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

const rel = (from: string, to: string) => relative(from, to).split(sep).join('/') || '.';

/** The repository root and the project folder for a command run on `dir`. */
export function locate(dir: string): Location {
  // Scaffolded here before (also by 0.1, which scaffolded subfolders in place): stay here, and
  // the state says where the project is.
  if (isFile(join(dir, STATE_FILE))) return { root: dir, projectDir: null };
  if (kindOf(dir) !== null) {
    const git = gitRoot(dir);
    if (git === null || git === dir) return { root: dir, projectDir: '.' };
    // A project below a repository that was already scaffolded at its root, or not yet at all.
    return { root: git, projectDir: rel(git, dir) };
  }
  const below = projectsBelow(dir);
  if (below.length === 1) return { root: dir, projectDir: rel(dir, below[0].dir) };
  if (below.length > 1) {
    // Run in a subfolder, the command finds the repository root again and keeps that project.
    const kinds = new Set(below.map((p) => p.kind));
    const what = kinds.size === 1 && below[0].kind === DEFAULT_PRESET ? 'PlatformIO projects' : 'projects';
    const named = below.map((p) => `${printableLine(rel(dir, p.dir))}${what === 'projects' ? ` (${p.kind})` : ''}`).join(', ');
    throw new UsageError(`${below.length} ${what} below ${printableLine(basename(dir))}: ${named}; run create-pio-docker in the one you mean`);
  }
  return { root: dir, projectDir: '.' };
}

export { gitRoot, projectFolder } from '../core/repo.js';
