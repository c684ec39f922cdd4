// The only code that writes into a user's project. Every change is checked first (the path stays
// inside the project, no folder on the way and no target is a symlink, nothing changed since it was
// planned), then every new content goes to a temp file beside its target, and only then are the
// temp files renamed into place. Any failure puts back exactly what was there: all or nothing.
// The whole apply is synchronous, so a signal (handled on the event loop) cannot cut it in half.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsReason } from '../safety/errno.js';
import { encodeText, readInputText } from '../safety/read.js';
import { printableLine } from '../safety/text.js';

export interface WriteChange {
  kind: 'write';
  /** Relative to the project, `/`-separated. */
  path: string;
  content: string;
  executable: boolean;
  /** What the file must hold when applied: its content, or null for "must not exist". */
  expect: string | null;
  /** --force on a symlink: replace the link itself (never what it points to). */
  replaceLink?: boolean;
  /** Mode of a new file (a backup keeps its original's); default 0644, or 0755 when executable. */
  mode?: number;
}

export interface DeleteChange {
  kind: 'delete';
  path: string;
  /** The content the file must still have; anything else is not deleted. */
  expect: string;
}

export type Change = WriteChange | DeleteChange;

/** A change that cannot be applied safely; nothing was written. */
export class UnsafePathError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} paths cannot be written safely:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'UnsafePathError';
  }
}

/** Writing failed part-way; everything was put back (callers say so). */
export class ApplyError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApplyError';
  }
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** `a/b/c` -> checked relative path parts; throws on anything that could leave the project. */
export function pathParts(path: string): string[] {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new UnsafePathError([`${printableLine(path)}: not a plain path inside the project`]);
  }
  return parts;
}

export type PathState =
  | { kind: 'file'; content: string; stat: Stats }
  | { kind: 'absent' }
  | { kind: 'symlink' }
  | { kind: 'blocked'; why: string };

/**
 * What is at `path` without following any symlink: the file's content, absent, a symlink (at the
 * path itself), or blocked (a symlinked or non-folder parent, a folder or special file in the way).
 */
export function inspectPath(root: string, path: string): PathState {
  const parts = pathParts(path);
  let at = root;
  for (const [i, part] of parts.slice(0, -1).entries()) {
    at = join(at, part);
    const st = lstatOrNull(at);
    const shown = parts.slice(0, i + 1).join('/');
    if (st === null) return { kind: 'absent' };
    if (st.isSymbolicLink()) return { kind: 'blocked', why: `${shown}/ is a symlink; files are never written through one` };
    if (!st.isDirectory()) return { kind: 'blocked', why: `${shown} is a file where a folder is needed` };
  }
  const target = join(root, path);
  const st = lstatOrNull(target);
  if (st === null) return { kind: 'absent' };
  if (st.isSymbolicLink()) return { kind: 'symlink' };
  if (st.isDirectory()) return { kind: 'blocked', why: `${path} is a folder where a file is needed` };
  if (!st.isFile()) return { kind: 'blocked', why: `${path} is not a regular file` };
  return { kind: 'file', content: readInputText(target, path, { noFollow: true }), stat: st };
}

/** The problems that stop these changes, as one line each (empty: safe to apply). */
export function checkChanges(root: string, changes: Change[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.path)) problems.push(`${c.path}: planned twice`);
    seen.add(c.path);
    let s: PathState;
    try {
      s = inspectPath(root, c.path);
    } catch (e) {
      problems.push(e instanceof UnsafePathError ? e.message : `${c.path}: ${fsReason(e)}`);
      continue;
    }
    if (s.kind === 'blocked') problems.push(s.why);
    else if (s.kind === 'symlink') {
      if (!(c.kind === 'write' && c.replaceLink)) problems.push(`${c.path} is a symlink; files are never written through one`);
    } else if (c.kind === 'delete') {
      if (s.kind !== 'file' || s.content !== c.expect) problems.push(`${c.path} changed since it was planned; not deleted`);
    } else if (c.expect === null ? s.kind !== 'absent' : s.kind !== 'file' || s.content !== c.expect) {
      if (!c.replaceLink) problems.push(`${c.path} changed while the tool was running; run it again`);
    }
  }
  return problems;
}

/** Who should own what we create: the project folder's owner when we run as root (not root's). */
function ownerFor(root: string): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const st = lstatSync(root);
  return st.uid === 0 ? null : { uid: st.uid, gid: st.gid };
}

const tmpName = (target: string, tag: string) => join(dirname(target), `.${basename(target)}.cpd-${process.pid}-${randomBytes(4).toString('hex')}.${tag}`);

interface Done {
  target: string;
  /** Where the replaced (or deleted) file waits until the end; null when there was none. */
  backup: string | null;
  /** The new file is in place (a write). */
  placed: boolean;
}

/** Writes `content` to a new temp file beside `target` (never following a link), synced to disk. */
function writeTemp(target: string, content: string, mode: number, owner: { uid: number; gid: number } | null): string {
  const tmp = tmpName(target, 'tmp');
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const buf = encodeText(content);
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, mode);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  return tmp;
}

/**
 * Applies the changes all-or-nothing. Throws UnsafePathError (nothing touched) when a check fails,
 * ApplyError (everything restored) when the file system fails part-way.
 * `faults` lets tests make one step fail as a full disk would, before or after files were renamed.
 */
export function applyChanges(root: string, changes: Change[], faults: { path: string; phase: 'temp' | 'commit' } | null = null): void {
  const fault = (path: string, phase: 'temp' | 'commit') => {
    if (faults?.path === path && faults.phase === phase) throw Object.assign(new Error('simulated failure'), { code: 'ENOSPC' });
  };
  const problems = checkChanges(root, changes);
  if (problems.length) throw new UnsafePathError(problems);
  const owner = ownerFor(root);
  const madeDirs: string[] = [];
  const temps = new Map<string, string>();
  const done: Done[] = [];
  let current = '';
  try {
    // 1. folders and temp files; the project itself is untouched so far
    for (const c of changes) {
      current = c.path;
      if (c.kind !== 'write') continue;
      let at = root;
      for (const part of pathParts(c.path).slice(0, -1)) {
        at = join(at, part);
        if (lstatOrNull(at) === null) {
          mkdirSync(at, 0o755);
          madeDirs.push(at);
          if (owner) fchownDir(at, owner);
        }
      }
      const target = join(root, c.path);
      const old = lstatOrNull(target);
      // A replaced file keeps its owner and mode (plus the exec bit a script needs).
      const mode = old?.isFile() ? (old.mode & 0o7777) | (c.executable ? 0o111 & ((old.mode & 0o444) >> 2) : 0) : (c.mode ?? (c.executable ? 0o755 : 0o644));
      const own = old?.isFile() && process.getuid?.() === 0 ? { uid: old.uid, gid: old.gid } : owner;
      fault(c.path, 'temp');
      temps.set(c.path, writeTemp(target, c.content, mode, own));
    }
    // 2. renames: each one replaces a whole file
    for (const c of changes) {
      current = c.path;
      fault(c.path, 'commit');
      const target = join(root, c.path);
      const entry: Done = { target, backup: null, placed: false };
      done.push(entry);
      if (lstatOrNull(target) !== null) {
        const backup = tmpName(target, 'old');
        renameSync(target, backup);
        entry.backup = backup;
      }
      if (c.kind === 'write') {
        renameSync(temps.get(c.path)!, target);
        temps.delete(c.path);
        entry.placed = true;
      }
    }
  } catch (e) {
    rollback(done, temps, madeDirs);
    throw new ApplyError(`${current}: ${fsReason(e)}`, current);
  }
  for (const d of done) if (d.backup) tryUnlink(d.backup);
  // Folders left empty by a deletion go too (a folder still holding anything stays).
  for (const c of changes) if (c.kind === 'delete') pruneEmpty(root, c.path);
}

function pruneEmpty(root: string, path: string): void {
  const parts = pathParts(path).slice(0, -1);
  for (let n = parts.length; n > 0; n--) {
    try {
      rmdirSync(join(root, ...parts.slice(0, n)));
    } catch {
      return;
    }
  }
}

/**
 * Runs `fn` with SIGINT/SIGTERM/SIGHUP held back. Node runs signal listeners on the event loop,
 * so while a synchronous apply runs none can interrupt it; without a listener the process would
 * die mid-write. Returns the first signal that arrived, for the caller to act on afterwards.
 */
export function withSignalsHeld<T>(fn: () => T): { value: T; signal: NodeJS.Signals | null } {
  let signal: NodeJS.Signals | null = null;
  const hold = (s: NodeJS.Signals) => {
    signal ??= s;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, hold);
  try {
    return { value: fn(), signal };
  } finally {
    for (const s of signals) process.off(s, hold);
  }
}

function fchownDir(dir: string, owner: { uid: number; gid: number }): void {
  const fd = openSync(dir, 'r');
  try {
    fchownSync(fd, owner.uid, owner.gid);
  } finally {
    closeSync(fd);
  }
}

function tryUnlink(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    /* already gone */
  }
}

function rollback(done: Done[], temps: Map<string, string>, madeDirs: string[]): void {
  for (const d of [...done].reverse()) {
    try {
      if (d.placed && d.backup === null) unlinkSync(d.target);
      if (d.backup) renameSync(d.backup, d.target);
    } catch {
      /* best effort: keep restoring the others */
    }
  }
  for (const t of temps.values()) tryUnlink(t);
  for (const dir of madeDirs.reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      /* not empty: something else is in it */
    }
  }
}
