// Python's glob.glob(pattern, recursive=True), which PlatformIO uses for `extra_configs`.
// Same results in the same order: directory entries come in the file system's order (like
// os.scandir; fs.readdirSync would sort them), names starting with a dot only match a pattern
// that starts with a dot, and a pattern without wildcards yields itself when the path exists.
// Deliberate differences, for hostile trees: a `**` walk that comes back to a folder it is
// already in (a symlink loop) is an error, and so is a walk past the depth, folder or entry
// limits below (Python would go on until ELOOP, or for ever); names are matched without regex
// backtracking (fnmatch's `.*` per `*` is exponential on patterns like `*a*a*a*b`).
import { lstatSync, opendirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

const MAGIC = /[*?[]/;

/** Bounds for one project's extra_configs globbing (all patterns together). */
export const GLOB_LIMITS = { depth: 64, dirs: 10_000, entries: 200_000, components: 256 };

/** The walk hit a symlink loop or a limit; the message says which (config.ts adds the option). */
export class GlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobError';
  }
}

/** os.path.join for POSIX paths: '' joins to 'a/' and an absolute part restarts. */
function pyJoin(a: string, b: string): string {
  if (b.startsWith('/') || !a) return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

/** os.path.split */
function pySplit(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  const head = p.slice(0, i);
  let end = head.length;
  while (end > 0 && head[end - 1] === '/') end--;
  return [end === 0 ? head : head.slice(0, end), p.slice(i)];
}

/** One unit of a shell pattern: `*`, `?`, `[...]` or a literal character. */
type Token = { star: true } | { star: false; test: (c: string) => boolean };

/** fnmatch.translate's reading of a pattern, as tokens for the linear matcher below. */
function fnmatchTokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (!out.length || !out[out.length - 1].star) out.push({ star: true });
    } else if (c === '?') out.push({ star: false, test: () => true });
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) out.push({ star: false, test: (x) => x === '[' });
      else {
        let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        let re: RegExp | null;
        try {
          re = new RegExp(`^[${body.replace(/]/g, '\\]').replace(/\[/g, '\\[')}]$`, 's');
        } catch {
          re = null; // e.g. a range out of order: matches nothing
        }
        out.push({ star: false, test: (x) => re !== null && re.test(x) });
        i = j;
      }
    } else out.push({ star: false, test: (x) => x === c });
  }
  return out;
}

/** Whole-name match, greedy with one backtrack point: O(name × pattern), never exponential. */
function fnmatch(name: string, tokens: Token[]): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < name.length) {
    const t = tokens[p];
    if (t && !t.star && t.test(name[s])) {
      p++;
      s++;
    } else if (t && t.star) {
      starP = p++;
      starS = s;
    } else if (starP >= 0) {
      p = starP + 1;
      s = ++starS;
    } else return false;
  }
  while (p < tokens.length && tokens[p].star) p++;
  return p === tokens.length;
}

export class Globber {
  private readonly cache = new Map<string, string[]>();
  private dirs = 0;
  private entries = 0;

  constructor(private readonly root: string) {}

  private abs(p: string): string {
    return isAbsolute(p) ? p : join(this.root, p || '.');
  }

  private exists(p: string): boolean {
    try {
      lstatSync(this.abs(p));
      return true;
    } catch {
      return false;
    }
  }

  private isDir(p: string): boolean {
    try {
      return statSync(this.abs(p)).isDirectory();
    } catch {
      return false;
    }
  }

  /** device:inode of a folder (symlinks followed), or null. */
  private dirId(p: string): string | null {
    try {
      const st = statSync(this.abs(p), { bigint: true });
      return st.isDirectory() ? `${st.dev}:${st.ino}` : null;
    } catch {
      return null;
    }
  }

  /** os.scandir order; only directories when dirOnly (symlinks followed, like entry.is_dir()). */
  private list(dir: string, dirOnly: boolean): string[] {
    if (++this.dirs > GLOB_LIMITS.dirs) throw new GlobError(`reads more than ${GLOB_LIMITS.dirs} folders (the limit of this tool)`);
    const names: string[] = [];
    try {
      const d = opendirSync(this.abs(dir));
      try {
        for (let e = d.readSync(); e; e = d.readSync()) {
          if (++this.entries > GLOB_LIMITS.entries) throw new GlobError(`looks at more than ${GLOB_LIMITS.entries} folder entries (the limit of this tool)`);
          if (!dirOnly || e.isDirectory() || (e.isSymbolicLink() && this.isDir(pyJoin(dir, e.name)))) names.push(e.name);
        }
      } finally {
        d.closeSync();
      }
    } catch (e) {
      if (e instanceof GlobError) throw e;
      // unreadable or not a directory: no entries, as in Python
    }
    return names;
  }

  private glob1(dir: string, pattern: string, dirOnly: boolean): string[] {
    const tokens = fnmatchTokens(pattern);
    const hidden = pattern.startsWith('.');
    return this.list(dir, dirOnly).filter((n) => (hidden || !n.startsWith('.')) && fnmatch(n, tokens));
  }

  /** `path`: device:inode of the folders from the walk's start down to `dir`, for loop detection. */
  private *rlist(dir: string, dirOnly: boolean, path: string[]): Generator<string> {
    for (const x of this.list(dir, dirOnly)) {
      if (x.startsWith('.')) continue;
      yield x;
      const sub = dir ? pyJoin(dir, x) : x;
      const id = this.dirId(sub);
      if (id === null) continue; // not a folder: nothing below it
      if (path.includes(id)) throw new GlobError(`runs into a symlink loop: ${sub} leads back to a folder above it`);
      if (path.length >= GLOB_LIMITS.depth) throw new GlobError(`goes more than ${GLOB_LIMITS.depth} folders deep, at ${sub} (the limit of this tool)`);
      for (const y of this.rlist(sub, dirOnly, [...path, id])) yield pyJoin(x, y);
    }
  }

  private *glob2(dir: string, dirOnly: boolean): Generator<string> {
    if (!dir || this.isDir(dir)) yield '';
    const id = this.dirId(dir);
    yield* this.rlist(dir, dirOnly, id === null ? [] : [id]);
  }

  *iglob(pattern: string, dirOnly = false): Generator<string> {
    const [dirname, basename] = pySplit(pattern);
    if (!MAGIC.test(pattern)) {
      if (basename ? this.exists(pattern) : this.isDir(dirname)) yield pattern;
      return;
    }
    if (!dirname) {
      yield* basename === '**' ? this.glob2('', dirOnly) : this.glob1('', basename, dirOnly);
      return;
    }
    const dirs = dirname !== pattern && MAGIC.test(dirname) ? this.iglob(dirname, true) : [dirname];
    for (const d of dirs) {
      let names: Iterable<string>;
      if (!MAGIC.test(basename)) names = (basename ? this.exists(pyJoin(d, basename)) : this.isDir(d)) ? [basename] : [];
      else if (basename === '**') names = this.glob2(d, dirOnly);
      else names = this.glob1(d, basename, dirOnly);
      for (const n of names) yield pyJoin(d, n);
    }
  }

  /** The matches of one pattern (the file system does not change during a run: later calls reuse them). */
  glob(pattern: string): string[] {
    const known = this.cache.get(pattern);
    if (known) return known;
    const components = pattern.split('/').filter(Boolean).length;
    if (components > GLOB_LIMITS.components) throw new GlobError(`has more than ${GLOB_LIMITS.components} path components (the limit of this tool)`);
    // glob.iglob drops the empty match a leading `**` yields for the root itself
    const found = [...this.iglob(pattern)].filter((p) => p !== '');
    this.cache.set(pattern, found);
    return found;
  }
}
