// What python-wheels reads from a folder: pyproject.toml ([project] name and requires-python,
// [build-system] build-backend, scikit-build / setuptools ext-modules tables) and setup.py's
// Extension(...) names. A small line reader, not a TOML parser: only the keys above are read.
// It imports nothing of the answers: the registry line's isProject uses it while the registry loads.
import { inspectPath } from '../../pipeline/apply.js';

export interface PythonProject {
  /** [project] name (else setup.py's name=, else null). */
  name: string | null;
  requiresPython: string | null;
  buildBackend: string | null;
  /** How the compiled part is built: setuptools Extension(...) or CMake through scikit-build. */
  extensions: 'setuptools' | 'cmake' | null;
  /** Dotted names of the extension modules found (setup.py Extension("pkg._x"), ext-modules name = ...). */
  modules: string[];
}

/** A file of the project through the bounded reader (no symlink followed); null when it is not a regular file. */
const file = (root: string, path: string): string | null => {
  const s = inspectPath(root, path);
  return s.kind === 'file' ? s.content : null;
};

/** The `key = "value"` of a TOML table (first one), quotes either kind. */
export function tomlString(text: string, table: string, key: string): string | null {
  let inTable = false;
  const pair = new RegExp(`^"?${key.replace(/[-.]/g, '\\$&')}"?\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
  for (const raw of text.split('\n')) {
    const line = withoutComment(raw).trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      inTable = header[1].trim() === table;
      continue;
    }
    if (!inTable) continue;
    const m = pair.exec(line);
    if (m) return m[1] ?? m[2];
  }
  return null;
}

/** A `[prefix]`, `[prefix.x]` or `[[prefix...` table header on some line (lines one by one: a `^\s*` regex with the m flag rescans blank lines quadratically). */
function hasTable(text: string, prefix: string): boolean {
  const header = new RegExp(`^\\[\\[?${prefix.replace(/[-.]/g, '\\$&')}(\\]|\\.)`);
  return text.split('\n').some((line) => header.test(line.trimStart()));
}

/** A TOML line without its ` # comment` (the first `#` after white space), by index: `\s+#.*$` backtracks quadratically on long runs of spaces. */
function withoutComment(line: string): string {
  const at = line.search(/\s#/);
  return at < 0 ? line : line.slice(0, at);
}

/** `text` without the `Extension(...)` calls (up to the first `)`), scanned once: `\([^)]*\)` rescans to the end from every unclosed one. */
function withoutExtensionCalls(text: string): string {
  const call = /\b(?:Extension|Pybind11Extension)\(/g;
  let out = '';
  let from = 0;
  for (let m = call.exec(text); m; m = call.exec(text)) {
    const close = text.indexOf(')', call.lastIndex);
    if (close < 0) break;
    out += text.slice(from, m.index);
    from = close + 1;
    call.lastIndex = from;
  }
  return out + text.slice(from);
}

const MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Extension("a.b", ...) / Extension(name="a.b", ...) / Pybind11Extension(...) in setup.py. */
export function setupPyModules(text: string): string[] {
  const out = [...text.matchAll(/\b(?:Extension|Pybind11Extension)\(\s*(?:name\s*=\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
  return [...new Set(out.filter((m) => MODULE.test(m)))];
}

/** [[tool.setuptools.ext-modules]] name = "a.b" (or the inline-table list form). */
function pyprojectModules(text: string): string[] {
  const out: string[] = [];
  let inExt = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^\[/.test(line)) inExt = /^\[\[tool\.setuptools\.ext-modules\]\]$/.test(line) || /^\[tool\.setuptools\]$/.test(line);
    if (!inExt) continue;
    for (const m of line.matchAll(/\bname\s*=\s*["']([^"']+)["']/g)) if (MODULE.test(m[1])) out.push(m[1]);
  }
  return out;
}

export const hasPythonProject = (root: string) => file(root, 'pyproject.toml') !== null || file(root, 'setup.py') !== null;

/** Reads pyproject.toml / setup.py in `root`; null when there is neither. */
export function scanPythonProject(root: string): PythonProject | null {
  const pyproject = file(root, 'pyproject.toml');
  const setup = file(root, 'setup.py');
  if (pyproject === null && setup === null) return null;
  const t = pyproject ?? '';
  const buildBackend = tomlString(t, 'build-system', 'build-backend');
  const cmake = /scikit[-_]build/.test(buildBackend ?? '') || hasTable(t, 'tool.scikit-build') || hasTable(t, 'tool.scikit-build-core');
  const modules = [...new Set([...(setup ? setupPyModules(setup) : []), ...pyprojectModules(t).filter((m) => t.includes('ext-modules'))])];
  const setuptools = modules.length > 0 || (setup !== null && /\bext_modules\b/.test(setup));
  const setupName = setup ? /\bname\s*=\s*["']([^"']+)["']/.exec(withoutExtensionCalls(setup))?.[1] ?? null : null;
  return {
    name: tomlString(t, 'project', 'name') ?? setupName,
    requiresPython: tomlString(t, 'project', 'requires-python'),
    buildBackend,
    extensions: cmake ? 'cmake' : setuptools ? 'setuptools' : null,
    modules,
  };
}
