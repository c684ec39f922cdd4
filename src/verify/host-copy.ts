// The firmware check builds in a copy of the project, owned by the "host" user the check plays.
// Neither the copy nor the chown ever follows a symlink: a project link to /etc must not make
// verify read /etc into the copy, let alone re-own it.
import { chmodSync, closeSync, constants, existsSync, fchmodSync, fstatSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, rmSync, symlinkSync, writeSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { STATE_FILE } from '../core/paths.js';

export interface Ids {
  uid: number;
  gid: number;
}

/** Ids the bind-mount checks play "host user" with: ours, unless we are root (then ids no image has). */
export function hostIds(): Ids {
  const uid = process.getuid?.() ?? 4242;
  return uid === 0 ? { uid: 4242, gid: 4243 } : { uid, gid: process.getgid?.() ?? uid };
}

/** Owners (uid:gid) other than `ids` found below `dir` (lstat, no link followed), a few at most; paths start with `label`. */
export function wrongOwners(dir: string, ids: Ids, max = 3, label = ''): string[] {
  const wrong: string[] = [];
  const walk = (p: string, rel: string) => {
    if (wrong.length >= max) return;
    const st = lstatSync(p);
    if (st.uid !== ids.uid || st.gid !== ids.gid) wrong.push(`${rel || '.'} ${st.uid}:${st.gid}`);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e), rel ? `${rel}/${e}` : e);
  };
  if (existsSync(dir)) walk(dir, label);
  return wrong;
}

/** An entry of the project that the copy leaves out, and why. */
export interface SkippedEntry {
  /** Project-relative path. */
  path: string;
  reason: string;
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function kind(d: Dirent): string {
  if (d.isFIFO()) return 'FIFO';
  if (d.isSocket()) return 'socket';
  if (d.isBlockDevice() || d.isCharacterDevice()) return 'device';
  return 'special file';
}

/**
 * Whether a relative link target, read from a link in folder `depth` levels below the project
 * root, stays in the project by its text alone: `..` never climbs above the root. (A target that
 * leaves and comes back by name, `../proj/src`, would point outside the copy.)
 */
function staysInside(target: string, depth: number): boolean {
  for (const part of target.split('/')) {
    if (part === '..') {
      if (--depth < 0) return false;
    } else if (part !== '' && part !== '.') depth++;
  }
  return true;
}

/** Copies a regular file through descriptors: never through a symlink, never blocking on a FIFO. */
function copyFile(from: string, to: string): string | null {
  let src: number;
  try {
    src = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return `unreadable (${errCode(e)})`;
  }
  try {
    const st = fstatSync(src);
    if (!st.isFile()) return 'changed while being copied';
    const dst = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      for (;;) {
        let n: number;
        try {
          n = readSync(src, buf, 0, buf.length, null);
        } catch (e) {
          return `unreadable (${errCode(e)})`;
        }
        if (n === 0) break;
        for (let w = 0; w < n; ) w += writeSync(dst, buf, w, n - w);
      }
      fchmodSync(dst, st.mode & 0o777); // no setuid/setgid bits in a copy we hand to another user
    } finally {
      closeSync(dst);
    }
    return null;
  } finally {
    closeSync(src);
  }
}

/**
 * Copies the project `src` into the empty folder `dest` without following symlinks:
 * - folders and regular files are copied (with their mode);
 * - a relative symlink that resolves inside the project is recreated as the same symlink, so the
 *   copy looks like the project does to `docker build` or a bind mount, and nothing is read
 *   through a link (a link to a folder is neither duplicated nor looped through);
 * - a symlink that is absolute, climbs out with `..`, resolves outside the project or dangles is
 *   left out, as are FIFOs, sockets, devices and unreadable entries.
 * `skipTop` names top-level entries not to copy. Returns what was left out.
 */
export function copyProjectTree(src: string, dest: string, skipTop: ReadonlySet<string> = new Set()): SkippedEntry[] {
  const root = realpathSync.native(src);
  const inRoot = (p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
  const skipped: SkippedEntry[] = [];
  const walk = (rel: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch (e) {
      skipped.push({ path: rel, reason: `unreadable folder (${errCode(e)})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      if (!rel && skipTop.has(d.name)) continue;
      const r = rel ? `${rel}/${d.name}` : d.name;
      const from = join(root, r);
      const to = join(dest, r);
      if (d.isSymbolicLink()) {
        let target: string;
        try {
          target = readlinkSync(from);
        } catch (e) {
          skipped.push({ path: r, reason: `unreadable symlink (${errCode(e)})` });
          continue;
        }
        let real: string | undefined;
        try {
          real = realpathSync.native(from);
        } catch {
          /* dangling, or a loop */
        }
        if (isAbsolute(target)) skipped.push({ path: r, reason: `symlink to ${target}, outside the project` });
        else if (!staysInside(target, depth)) skipped.push({ path: r, reason: `symlink to ${target}, leaving the project` });
        else if (real === undefined) skipped.push({ path: r, reason: `dangling symlink to ${target}` });
        else if (!inRoot(real)) skipped.push({ path: r, reason: `symlink to ${target}, resolving outside the project` });
        else symlinkSync(target, to);
      } else if (d.isDirectory()) {
        let mode: number;
        try {
          const st = lstatSync(from);
          if (!st.isDirectory()) throw new Error('changed while being copied');
          mode = st.mode & 0o777;
        } catch (e) {
          skipped.push({ path: r, reason: errCode(e) });
          continue;
        }
        mkdirSync(to, { mode: 0o700 });
        walk(r, depth + 1);
        chmodSync(to, mode); // after its contents, which a read-only folder would refuse
      } else if (d.isFile()) {
        const why = copyFile(from, to);
        if (why) {
          rmSync(to, { force: true });
          skipped.push({ path: r, reason: why });
        }
      } else skipped.push({ path: r, reason: kind(d) });
    }
  };
  walk('', 0);
  return skipped;
}

/**
 * Gives `path` and everything below it to `ids` with lchown: a symlink itself is re-owned, never
 * its target, and the walk never descends through a symlink.
 */
export function lchownTree(path: string, ids: Ids): void {
  lchownSync(path, ids.uid, ids.gid);
  if (!lstatSync(path).isDirectory()) return;
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      lchownSync(p, ids.uid, ids.gid);
      if (d.isDirectory()) walk(p);
    }
  };
  walk(path);
}

/** Folders of the project the firmware check does not copy. */
export const NOT_COPIED = ['.git', '.pio', 'node_modules', STATE_FILE];

/**
 * A new temp folder (0755) owned by the "host" user (when we are root), holding a copy of
 * `copyFrom` if given (see copyProjectTree). The caller removes it.
 */
export function hostDir(ids: Ids, copyFrom?: string, skipTop: ReadonlySet<string> = new Set(NOT_COPIED)): { dir: string; skipped: SkippedEntry[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-verify-'));
  try {
    const skipped = copyFrom ? copyProjectTree(copyFrom, dir, skipTop) : [];
    chmodSync(dir, 0o755);
    if (process.getuid?.() === 0) lchownTree(dir, ids);
    return { dir, skipped };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** One line naming what the copy left out (the first few, then a count). */
export function describeSkipped(skipped: SkippedEntry[], max = 8): string {
  const shown = skipped.slice(0, max).map((s) => `${s.path} (${s.reason})`);
  if (skipped.length > max) shown.push(`and ${skipped.length - max} more`);
  return shown.join(', ');
}
