// What go-deb reads from the repository: go.mod (module, go version), the main packages (cmd/*,
// or the root), whether any package uses cgo, and debian/control when there is one. Reads only
// regular files (no symlinks followed), bounded in size and in how many folders are walked.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AnswersError } from '../../core/answers.js';
import { inspectPath } from '../../pipeline/apply.js';
import { readInputFile } from '../../core/safety/read.js';
import { goHeader } from './go-source.js';

export interface GoProject {
  module: string;
  goVersion: string;
  commands: { dir: string; name: string }[];
  cgo: boolean;
  /** From debian/control (null: none there). */
  debian: { name: string | null; maintainer: string | null; depends: string[]; description: string | null } | null;
}

// Folders Go itself ignores (testdata, _x, .x) and dependency copies.
const SKIP = new Set(['vendor', 'testdata', 'node_modules']);
const MAX_DIRS = 2000;
const MAX_GO_FILES = 5000;
const MAX_GO_BYTES = 1024 * 1024;

const file = (root: string, path: string): string | null => {
  const s = inspectPath(root, path);
  return s.kind === 'file' ? s.content : null;
};

const isDir = (p: string) => {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
};

export { hasGoMod } from './go-mod.js';

/** go.mod's `module` and `go` lines (line by line: `^\s*` with the m flag rescans blank lines quadratically). */
export function parseGoMod(text: string): { module: string; goVersion: string } {
  let mod: RegExpExecArray | null = null;
  let go: RegExpExecArray | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    mod ??= /^\s*module\s+"?([^\s"]+)"?\s*(?:\/\/.*)?$/.exec(line);
    go ??= /^\s*go\s+([0-9][0-9.]*)\s*(?:\/\/.*)?$/.exec(line);
    if (mod && go) break;
  }
  if (!mod) throw new AnswersError('go.mod has no module line', 'preset');
  return { module: mod[1], goVersion: go?.[1] ?? '1.19' };
}

/** The regular .go files directly in a folder (no symlinks), with their text; `rel` names the folder in errors. */
function goFiles(dir: string, rel: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.go'))
    .map((e) => e.name)
    .sort()
    .map((n) => readInputFile(join(dir, n), relPath(rel, n), MAX_GO_BYTES));
}

const relPath = (rel: string, name: string) => (rel === '.' ? name : `${rel}/${name}`);
const isMain = (texts: string[]) => texts.some((t) => goHeader(t).pkg === 'main');
/** `import "C"` alone or inside an import group (a linear scan: see go-source.ts). */
export const usesCgo = (t: string) => goHeader(t).cgo;

/** Every regular .go file below root (not in folders Go ignores), at most MAX_GO_FILES. */
function walkGo(root: string): string[] {
  const out: string[] = [];
  let dirs = 0;
  const walk = (d: string, rel: string) => {
    if (dirs++ > MAX_DIRS || out.length >= MAX_GO_FILES) return;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
      if (e.isDirectory() && !SKIP.has(e.name)) walk(join(d, e.name), relPath(rel, e.name));
      else if (e.isFile() && e.name.endsWith('.go') && out.length < MAX_GO_FILES) out.push(readInputFile(join(d, e.name), relPath(rel, e.name), MAX_GO_BYTES));
    }
  };
  walk(root, '.');
  return out;
}

/** debian/control: the source paragraph's Maintainer, the first binary paragraph's Package, Depends, Description. */
export function parseDebianControl(text: string): NonNullable<GoProject['debian']> {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => {
      const fields = new Map<string, string>();
      let last = '';
      for (const line of p.split('\n')) {
        if (line.startsWith('#')) continue;
        const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
        if (m) fields.set((last = m[1].toLowerCase()), m[2].trim());
        else if (/^\s/.test(line) && last && last !== 'description') fields.set(last, `${fields.get(last)} ${line.trim()}`);
      }
      return fields;
    })
    .filter((f) => f.size);
  const source = paragraphs.find((p) => p.has('source')) ?? new Map<string, string>();
  const binary = paragraphs.find((p) => p.has('package')) ?? new Map<string, string>();
  // ${shlibs:Depends} and friends are filled in by dpkg-shlibdeps/debhelper: not here.
  const depends = (binary.get('depends') ?? '')
    .split(',')
    .map((d) => d.trim().replace(/\s+/g, ' ').replace(/\(\s*/g, '(').replace(/\(([<>=]+)\s*/g, '($1 ').replace(/\s*\)/g, ')'))
    .filter((d) => d !== '' && !d.includes('${'));
  return { name: binary.get('package') ?? source.get('source') ?? null, maintainer: source.get('maintainer') ?? binary.get('maintainer') ?? null, depends, description: binary.get('description') ?? null };
}

/** Reads the Go module at root; an AnswersError when there is no usable go.mod. */
export function readGoProject(root: string): GoProject {
  const gomod = file(root, 'go.mod');
  if (gomod === null) throw new AnswersError('go-deb needs a go.mod at the repository root', 'preset');
  const { module, goVersion } = parseGoMod(gomod);
  const commands: GoProject['commands'] = [];
  const last = module.split('/').pop()!.replace(/^v[0-9]+$/, '') || module.split('/').slice(-2)[0];
  if (isMain(goFiles(root, '.'))) commands.push({ dir: '.', name: last });
  let cmdEntries: string[] = [];
  // cmd/ itself, never through a symlink.
  if (isDir(join(root, 'cmd'))) {
    try {
      cmdEntries = readdirSync(join(root, 'cmd'), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
        .map((e) => e.name)
        .sort();
    } catch {
      cmdEntries = [];
    }
  }
  for (const name of cmdEntries) if (isMain(goFiles(join(root, 'cmd', name), `cmd/${name}`))) commands.push({ dir: `cmd/${name}`, name });
  const control = file(root, 'debian/control');
  return { module, goVersion, commands, cgo: walkGo(root).some(usesCgo), debian: control === null ? null : parseDebianControl(control) };
}
