// Folders of one repository, opened one component at a time from its root, never through a
// symlink, each once per run; every later step works relative to the open handle, never by
// re-resolving a path. Node has no openat(), but on Linux `/proc/self/fd/N/NAME` names NAME inside
// the folder that handle N has open, wherever that folder is now: a folder swapped for a symlink
// (or moved away) after it was opened cannot redirect anything.
import { closeSync, constants, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { CpdError, EXIT } from '../core/errors.js';
import { MAX_INPUT_BYTES, readOpenFile, tooLarge } from '../core/safety/read.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
const O_NOCTTY = constants.O_NOCTTY ?? 0;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/** The path of `name` inside the folder that `fd` has open. `name` is one component (no `/`). */
export const at = (fd: number, name: string) => `/proc/self/fd/${fd}/${name}`;

/** The one way this tool refuses to work: a system without /proc/self/fd (not Linux, or /proc not mounted). */
export class NoDirHandlesError extends CpdError {
  readonly exitCode = EXIT.failed;
  readonly hint = 'Nothing was changed.';
  constructor() {
    super('cannot work safely here: /proc/self/fd is not available (Linux with /proc mounted is needed: every file is read and written relative to a folder already opened and checked)');
    this.name = 'NoDirHandlesError';
  }
}

let procChecked = false;

/** Throws NoDirHandlesError unless `/proc/self/fd/N/.` is the folder `fd` has open. */
function checkProc(fd: number): void {
  if (procChecked) return;
  let ok = false;
  try {
    const a = fstatSync(fd);
    const b = statSync(at(fd, '.'));
    ok = a.dev === b.dev && a.ino === b.ino;
  } catch {
    ok = false;
  }
  if (!ok) throw new NoDirHandlesError();
  procChecked = true;
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

export type Folder =
  | { kind: 'dir'; fd: number; stat: Stats }
  | { kind: 'absent' }
  | { kind: 'blocked'; why: string };

/** What stands at `name` in folder `fd`, not following a link: its lstat, or null when nothing. */
export function lstatAt(fd: number, name: string): Stats | null {
  try {
    return lstatSync(at(fd, name));
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw e;
  }
}

/** The folders of one repository root, opened on demand; close() when done. */
export class DirHandles {
  private readonly open = new Map<string, { fd: number; stat: Stats }>();
  /** Folders this run created, innermost last: [parent fd, name, dev, ino]. */
  readonly made: { parentFd: number; name: string; dev: number; ino: number }[] = [];

  private constructor(readonly root: string) {}

  /**
   * Opens the repository root (the folder as the user named it: a link on the way there is theirs),
   * or returns null when it does not exist.
   */
  static openRoot(root: string): DirHandles | null {
    let fd: number;
    try {
      fd = openSync(root, O_RDONLY | O_DIRECTORY);
    } catch (e) {
      if (code(e) === 'ENOENT') return null;
      throw e;
    }
    const h = new DirHandles(root);
    h.open.set('', { fd, stat: fstatSync(fd) });
    try {
      checkProc(fd);
    } catch (e) {
      h.close();
      throw e;
    }
    return h;
  }

  get rootStat(): Stats {
    return this.open.get('')!.stat;
  }

  /**
   * The folder `parts` (relative to the root), walked one component at a time with no-follow
   * opens. `create` makes missing ones (mode 0755, then opened and checked like any other);
   * `owner` re-owns what it made through the handle. Blocked: a symlink or a file on the way.
   */
  folder(parts: readonly string[], opts: { create?: boolean; owner?: { uid: number; gid: number } | null } = {}): Folder {
    let parent = this.open.get('')!;
    for (let i = 0; i < parts.length; i++) {
      const key = parts.slice(0, i + 1).join('/');
      const cached = this.open.get(key);
      if (cached) {
        parent = cached;
        continue;
      }
      const name = parts[i];
      let fd: number;
      try {
        fd = openSync(at(parent.fd, name), DIR_FLAGS);
      } catch (e) {
        if (code(e) === 'ENOTDIR' || code(e) === 'ELOOP') {
          const st = lstatAt(parent.fd, name);
          return { kind: 'blocked', why: st?.isSymbolicLink() ? `${key}/ is a symlink; files are never written through one` : `${key} is a file where a folder is needed` };
        }
        if (code(e) !== 'ENOENT') throw e;
        if (!opts.create) return { kind: 'absent' };
        mkdirSync(at(parent.fd, name), 0o755);
        fd = this.openMade(parent.fd, name, key);
        if (opts.owner) {
          try {
            fchownFd(fd, opts.owner);
          } catch (err) {
            closeSync(fd);
            throw err;
          }
        }
      }
      const stat = fstatSync(fd);
      this.open.set(key, { fd, stat });
      parent = { fd, stat };
    }
    return { kind: 'dir', fd: parent.fd, stat: parent.stat };
  }

  /** Opens a folder just made at `name`; it must still be a folder of ours (not a link, not someone's swap). */
  private openMade(parentFd: number, name: string, key: string): number {
    let fd: number;
    try {
      fd = openSync(at(parentFd, name), DIR_FLAGS);
    } catch (e) {
      if (code(e) === 'ENOTDIR' || code(e) === 'ELOOP' || code(e) === 'ENOENT') throw changed(key);
      throw e;
    }
    const st = fstatSync(fd);
    if (st.uid !== process.geteuid?.()) {
      closeSync(fd);
      throw changed(key);
    }
    this.made.push({ parentFd, name, dev: st.dev, ino: st.ino });
    return fd;
  }

  /** The open folder `parts`, which an earlier folder() call must have opened. */
  fdOf(parts: readonly string[]): number {
    const h = this.open.get(parts.join('/'));
    if (!h) throw new Error(`internal: ${parts.join('/')} was never opened`);
    return h.fd;
  }

  close(): void {
    for (const { fd } of this.open.values()) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.open.clear();
  }
}

const changed = (key: string) => Object.assign(new Error(`${key}/ changed while the tool was running; run it again`), { code: 'ECHANGED' });

/** Re-owns what `fd` has open (a read-only folder handle will do): never a path, so never through a link. */
export function fchownFd(fd: number, owner: { uid: number; gid: number }): void {
  fchownSync(fd, owner.uid, owner.gid);
}

export type FileAt =
  | { kind: 'file'; bytes: Buffer; stat: Stats }
  | { kind: 'absent' }
  | { kind: 'symlink' }
  | { kind: 'blocked'; why: string };

/**
 * Reads `name` in folder `fd` without following a link: only a regular file (checked with lstat
 * before opening, so a FIFO or device is never opened, and with fstat after, so a swap in between
 * is seen), at most `maxBytes`.
 */
export function readAt(fd: number, name: string, shown: string, maxBytes = MAX_INPUT_BYTES): FileAt {
  const st = lstatAt(fd, name);
  if (st === null) return { kind: 'absent' };
  if (st.isSymbolicLink()) return { kind: 'symlink' };
  if (st.isDirectory()) return { kind: 'blocked', why: `${shown} is a folder where a file is needed` };
  if (!st.isFile()) return { kind: 'blocked', why: `${shown} is not a regular file` };
  // Too large to read is the input's fault, worded as every bounded read words it (exit 2).
  if (st.size > maxBytes) throw tooLarge(shown, shown, st.size, maxBytes);
  let file: number;
  try {
    file = openSync(at(fd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch (e) {
    if (code(e) === 'ELOOP') return { kind: 'symlink' };
    if (code(e) === 'ENOENT') return { kind: 'absent' };
    throw e;
  }
  try {
    const now = fstatSync(file);
    if (!now.isFile() || now.dev !== st.dev || now.ino !== st.ino) return { kind: 'blocked', why: `${shown} changed while the tool was reading it; run it again` };
    return { kind: 'file', bytes: readOpenFile(file, shown, shown, maxBytes), stat: now };
  } finally {
    closeSync(file);
  }
}
