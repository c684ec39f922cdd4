// The only code that writes into a user's project. Every folder on the way is opened from the
// repository root one component at a time, never through a symlink, and every later step (reading
// what is there, making a folder, a temp file, a rename, a rollback) goes through that open handle
// (src/pipeline/dir-handles.ts): a folder swapped for a link during the run cannot redirect a
// write. Every change is checked first (the path stays inside the project, no folder on the way and
// no target is a symlink, nothing changed since it was planned), then every new content goes to a
// temp file beside its target, and only then are the temp files renamed into place. Any failure
// puts back exactly what was there: all or nothing. The write is synchronous, so a signal (handled
// on the event loop) cannot cut it in half; one that arrived during it undoes it (applyUntilSignal).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, openSync, renameSync, rmdirSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { CpdError, EXIT } from '../core/errors.js';
import { fsReason } from '../core/safety/errno.js';
import { decodeText, encodeText } from '../core/safety/read.js';
import { printableLine } from '../core/safety/text.js';
import { CancelledDuringApply } from './cancel.js';
import { at, DirHandles, lstatAt, readAt } from './dir-handles.js';
import { removeStaleTemps } from './stale-temps.js';

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
export class UnsafePathError extends CpdError {
  readonly exitCode = EXIT.failed;
  readonly hint = 'Nothing was changed.';
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} paths cannot be written safely:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'UnsafePathError';
  }
}

/** Writing failed part-way; everything was put back (callers say so). */
export class ApplyError extends CpdError {
  readonly exitCode = EXIT.failed;
  readonly hint = 'Nothing was changed.';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApplyError';
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
  | { kind: 'file'; content: string; bytes: Buffer; stat: Stats }
  | { kind: 'absent' }
  | { kind: 'symlink' }
  | { kind: 'blocked'; why: string };

/** inspectPath through folders already open (a run's DirHandles). */
function inspectIn(h: DirHandles, path: string): PathState {
  const parts = pathParts(path);
  const dir = h.folder(parts.slice(0, -1));
  if (dir.kind !== 'dir') return dir;
  const f = readAt(dir.fd, parts[parts.length - 1], path);
  return f.kind === 'file' ? { kind: 'file', content: decodeText(f.bytes), bytes: f.bytes, stat: f.stat } : f;
}

/**
 * What is at `path` without following any symlink: the file's content, absent, a symlink (at the
 * path itself), or blocked (a symlinked or non-folder parent, a folder or special file in the way,
 * a file too large to read). Every folder on the way is opened with no-follow from the root, and
 * the file is read relative to its folder's handle (src/pipeline/dir-handles.ts), so a folder
 * swapped for a link during the check is never read through.
 */
export function inspectPath(root: string, path: string): PathState {
  pathParts(path);
  const h = DirHandles.openRoot(root);
  if (h === null) return { kind: 'absent' };
  try {
    return inspectIn(h, path);
  } catch (e) {
    throw named(e, root, path);
  } finally {
    h.close();
  }
}

/** An error from a handle-relative path (`/proc/self/fd/N/x`) names the file the user knows instead. */
function named(e: unknown, root: string, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (typeof err.path === 'string' && err.path.startsWith('/proc/self/fd/')) {
    const shown = join(root, path);
    err.message = err.message.split(err.path).join(shown);
    err.path = shown;
  }
  return e;
}

/** What the check saw at a change's path: the file (its identity, mode and owner), nothing, or a link. */
type Seen = { kind: 'file'; stat: Stats } | { kind: 'absent' } | { kind: 'symlink' };

/** The problems that stop these changes, as one line each (empty: safe to apply), and what was seen. */
function checkIn(h: DirHandles, changes: Change[]): { problems: string[]; seen: Map<string, Seen> } {
  const problems: string[] = [];
  const seen = new Map<string, Seen>();
  for (const c of changes) {
    if (seen.has(c.path)) problems.push(`${c.path}: planned twice`);
    let s: PathState;
    try {
      s = inspectIn(h, c.path);
    } catch (e) {
      problems.push(e instanceof UnsafePathError ? e.message : `${c.path}: ${fsReason(e)}`);
      continue;
    }
    seen.set(c.path, s.kind === 'file' ? { kind: 'file', stat: s.stat } : s.kind === 'symlink' ? { kind: 'symlink' } : { kind: 'absent' });
    if (s.kind === 'blocked') problems.push(s.why);
    else if (s.kind === 'symlink') {
      if (!(c.kind === 'write' && c.replaceLink)) problems.push(`${c.path} is a symlink; files are never written through one`);
    } else if (c.kind === 'delete') {
      if (s.kind !== 'file' || s.content !== c.expect) problems.push(`${c.path} changed since it was planned; not deleted`);
    } else if (c.expect === null ? s.kind !== 'absent' : s.kind !== 'file' || s.content !== c.expect) {
      if (!c.replaceLink) problems.push(`${c.path} changed while the tool was running; run it again`);
    }
  }
  return { problems, seen };
}

/** The problems that stop these changes, as one line each (empty: safe to apply). */
export function checkChanges(root: string, changes: Change[]): string[] {
  const h = DirHandles.openRoot(root);
  if (h === null) return [`${printableLine(root)}: no such folder`];
  try {
    return checkIn(h, changes).problems;
  } finally {
    h.close();
  }
}

const tmpName = (name: string, tag: 'tmp' | 'old') => `.${name}.cpd-${process.pid}-${randomBytes(4).toString('hex')}.${tag}`;

const changedError = (path: string) => Object.assign(new Error(`${path} changed while the tool was running; run it again`), { code: 'ECHANGED' });

/** One change on its way: the folder handle it happens in, and what is where. */
interface Step {
  change: Change;
  /** The file's name in its folder. */
  name: string;
  dirFd: number;
  /** The new content's temp file (a write), until renamed into place. */
  tmp: string | null;
  /** Identity of the new file, to tell it from anything put in its place. */
  tmpId: { dev: number; ino: number } | null;
  /** Where the replaced (or deleted) entry waits until the end. */
  backup: string | null;
  placed: boolean;
}

/** Writes `content` to a new temp file in folder `dirFd` (O_EXCL, never through a link), synced to disk. */
function writeTemp(dirFd: number, name: string, content: string, mode: number, owner: { uid: number; gid: number } | null): { tmp: string; id: { dev: number; ino: number } } {
  const tmp = tmpName(name, 'tmp');
  const fd = openSync(at(dirFd, tmp), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const buf = encodeText(content);
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, mode);
    fsyncSync(fd);
    const st = fstatSync(fd);
    closeSync(fd);
    return { tmp, id: { dev: st.dev, ino: st.ino } };
  } catch (e) {
    closeSync(fd);
    tryUnlink(at(dirFd, tmp));
    throw e;
  }
}

/** A staged apply: every new file in place, every replaced one kept aside until commit() or rollback(). */
export interface Staged {
  /** Drops the kept files, prunes folders a deletion emptied, removes stale temp files; returns those. */
  commit(): string[];
  /** Puts back exactly what was there. */
  rollback(): void;
}

export interface ApplyOptions {
  /** Paths whose folders are searched for temp files a killed run left (default: the changes' paths). */
  cleanIn?: string[];
  /** Tests: make one step fail as a full disk would, before or after files were renamed. */
  faults?: { path: string; phase: 'temp' | 'commit' } | null;
}

/**
 * Checks and writes the changes, keeping what they replace until commit() (see Staged). Throws
 * UnsafePathError (nothing touched) when a check fails, ApplyError (everything restored) when the
 * file system fails part-way or a path changes under it.
 */
export function stageChanges(root: string, changes: Change[], opts: ApplyOptions = {}): Staged {
  const fault = (path: string, phase: 'temp' | 'commit') => {
    if (opts.faults?.path === path && opts.faults.phase === phase) throw Object.assign(new Error('simulated failure'), { code: 'ENOSPC' });
  };
  const h = DirHandles.openRoot(root);
  if (h === null) throw new UnsafePathError([`${printableLine(root)}: no such folder`]);
  let steps: Step[] = [];
  let current = '';
  try {
    const { problems, seen } = checkIn(h, changes);
    if (problems.length) throw new UnsafePathError(problems);
    // Root in another user's repository (--as-root): what it creates goes to that user, through handles.
    const euid = process.geteuid?.();
    const owner = euid === 0 && h.rootStat.uid !== 0 ? { uid: h.rootStat.uid, gid: h.rootStat.gid } : null;
    steps = changes.map((c) => ({ change: c, name: '', dirFd: -1, tmp: null, tmpId: null, backup: null, placed: false }));
    // 1. folders and temp files; no file of the project is touched so far
    for (const step of steps) {
      const c = step.change;
      current = c.path;
      const parts = pathParts(c.path);
      step.name = parts[parts.length - 1];
      const dir = h.folder(parts.slice(0, -1), { create: c.kind === 'write', owner });
      if (dir.kind !== 'dir') throw changedError(c.path);
      step.dirFd = dir.fd;
      if (c.kind !== 'write') continue;
      const old = seen.get(c.path);
      const st = old?.kind === 'file' ? old.stat : null;
      // A replaced file keeps its owner and mode (plus the exec bit a script needs).
      const mode = st ? (st.mode & 0o7777) | (c.executable ? 0o111 & ((st.mode & 0o444) >> 2) : 0) : (c.mode ?? (c.executable ? 0o755 : 0o644));
      const own = st && euid === 0 ? { uid: st.uid, gid: st.gid } : owner;
      fault(c.path, 'temp');
      const t = writeTemp(dir.fd, step.name, c.content, mode, own);
      step.tmp = t.tmp;
      step.tmpId = t.id;
    }
    // 2. renames, each replacing a whole file; what stands at the path must still be what was checked
    for (const step of steps) {
      const c = step.change;
      current = c.path;
      fault(c.path, 'commit');
      const now = lstatAt(step.dirFd, step.name);
      const was = seen.get(c.path);
      const same = was?.kind === 'file' ? now !== null && now.isFile() && now.dev === was.stat.dev && now.ino === was.stat.ino : was?.kind === 'symlink' ? now !== null && now.isSymbolicLink() : now === null;
      if (!same) throw changedError(c.path);
      if (now !== null) {
        const backup = tmpName(step.name, 'old');
        renameSync(at(step.dirFd, step.name), at(step.dirFd, backup));
        step.backup = backup;
      }
      if (c.kind === 'write') {
        renameSync(at(step.dirFd, step.tmp!), at(step.dirFd, step.name));
        step.tmp = null;
        step.placed = true;
      }
    }
  } catch (e) {
    rollback(h, steps);
    h.close();
    if (e instanceof UnsafePathError) throw e;
    throw new ApplyError(`${current}: ${fsReason(e)}`, current);
  }
  let done = false;
  return {
    commit() {
      if (done) return [];
      done = true;
      try {
        for (const s of steps) if (s.backup) tryUnlink(at(s.dirFd, s.backup));
        // Folders left empty by a deletion go too (a folder still holding anything stays).
        for (const s of steps) if (s.change.kind === 'delete') pruneEmpty(h, pathParts(s.change.path));
        return removeStaleTemps(h, opts.cleanIn ?? changes.map((c) => c.path));
      } finally {
        h.close();
      }
    },
    rollback() {
      if (done) return;
      done = true;
      rollback(h, steps);
      h.close();
    },
  };
}

/**
 * Applies the changes all-or-nothing. Throws UnsafePathError (nothing touched) when a check fails,
 * ApplyError (everything restored) when the file system fails part-way.
 */
export function applyChanges(root: string, changes: Change[], faults: ApplyOptions['faults'] = null): string[] {
  return stageChanges(root, changes, { faults }).commit();
}

/** Removes folders a deletion left empty, innermost first, through their parents' handles. */
function pruneEmpty(h: DirHandles, parts: string[]): void {
  for (let n = parts.length - 1; n > 0; n--) {
    try {
      rmdirSync(at(h.fdOf(parts.slice(0, n - 1)), parts[n - 1]));
    } catch {
      return;
    }
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Lets the event loop run the signal listeners for signals that arrived during synchronous work. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Applies the changes with SIGINT/SIGTERM/SIGHUP held back. Node runs signal listeners on the
 * event loop, so a signal that arrives during the (synchronous) write is only seen afterwards: the
 * loop is let run before the kept files are dropped, and a signal seen then undoes the whole write
 * (CancelledDuringApply: nothing written). A signal after that point is returned as `late`: every
 * file was written in full. Without the listeners, a signal would kill the process mid-write.
 */
export async function applyUntilSignal(root: string, changes: Change[], opts: ApplyOptions = {}): Promise<{ late: NodeJS.Signals | null; removedTemps: string[] }> {
  let signal: NodeJS.Signals | null = null;
  const hold = (s: NodeJS.Signals) => {
    signal ??= s;
  };
  for (const s of SIGNALS) process.on(s, hold);
  try {
    const staged = stageChanges(root, changes, opts);
    await settle();
    if (signal) {
      staged.rollback();
      throw new CancelledDuringApply(signal);
    }
    const removedTemps = staged.commit();
    await settle();
    return { late: signal, removedTemps };
  } finally {
    for (const s of SIGNALS) process.off(s, hold);
  }
}

function tryUnlink(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    /* already gone */
  }
}

function rollback(h: DirHandles, steps: Step[]): void {
  for (const s of [...steps].reverse()) {
    try {
      if (s.placed && s.backup === null) {
        // Only the file this run placed (an entry swapped in since is not ours to remove).
        const now = lstatAt(s.dirFd, s.name);
        if (now && s.tmpId && now.dev === s.tmpId.dev && now.ino === s.tmpId.ino) unlinkSync(at(s.dirFd, s.name));
      }
      if (s.backup) renameSync(at(s.dirFd, s.backup), at(s.dirFd, s.name));
    } catch {
      /* best effort: keep restoring the others */
    }
    if (s.tmp) tryUnlink(at(s.dirFd, s.tmp));
  }
  for (const d of [...h.made].reverse()) {
    try {
      const now = lstatAt(d.parentFd, d.name);
      if (now?.isDirectory() && now.dev === d.dev && now.ino === d.ino) rmdirSync(at(d.parentFd, d.name));
    } catch {
      /* not empty: something else is in it */
    }
  }
}
