// Python's glob.glob(pattern, recursive=True), which PlatformIO uses for `extra_configs`.
// Same results in the same order: directory entries come in the file system's order (like
// os.scandir; fs.readdirSync would sort them), names starting with a dot only match a pattern
// that starts with a dot, and a pattern without wildcards yields itself when the path exists.
import { lstatSync, opendirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

const MAGIC = /[*?[]/;

/** os.path.join for POSIX paths: '' joins to 'a/' and an absolute part restarts. */
function pyJoin(a: string, b: string): string {
  if (b.startsWith('/') || !a) return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

/** os.path.split */
function pySplit(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  const head = p.slice(0, i);
  return [/^\/+$/.test(head) ? head : head.replace(/\/+$/, ''), p.slice(i)];
}

/** fnmatch.translate: a whole-name regex for one path component. */
function fnmatchRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        re += `[${body.replace(/]/g, '\\]').replace(/\[/g, '\\[')}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

export class Globber {
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

  /** os.scandir order; only directories when dirOnly (symlinks followed, like entry.is_dir()). */
  private list(dir: string, dirOnly: boolean): string[] {
    const names: string[] = [];
    try {
      const d = opendirSync(this.abs(dir));
      try {
        for (let e = d.readSync(); e; e = d.readSync()) {
          if (!dirOnly || e.isDirectory() || (e.isSymbolicLink() && this.isDir(pyJoin(dir, e.name)))) names.push(e.name);
        }
      } finally {
        d.closeSync();
      }
    } catch {
      // unreadable or not a directory: no entries, as in Python
    }
    return names;
  }

  private glob1(dir: string, pattern: string, dirOnly: boolean): string[] {
    const re = fnmatchRegex(pattern);
    const hidden = pattern.startsWith('.');
    return this.list(dir, dirOnly).filter((n) => (hidden || !n.startsWith('.')) && re.test(n));
  }

  private *rlist(dir: string, dirOnly: boolean): Generator<string> {
    for (const x of this.list(dir, dirOnly)) {
      if (x.startsWith('.')) continue;
      yield x;
      for (const y of this.rlist(dir ? pyJoin(dir, x) : x, dirOnly)) yield pyJoin(x, y);
    }
  }

  private *glob2(dir: string, dirOnly: boolean): Generator<string> {
    if (!dir || this.isDir(dir)) yield '';
    yield* this.rlist(dir, dirOnly);
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

  glob(pattern: string): string[] {
    // glob.iglob drops the empty match a leading `**` yields for the root itself
    return [...this.iglob(pattern)].filter((p) => p !== '');
  }
}
