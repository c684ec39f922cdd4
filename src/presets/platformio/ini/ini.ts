// The INI layer exactly as PlatformIO configures Python's configparser:
// ConfigParser(inline_comment_prefixes=("#", ";")) with its defaults (strict, empty lines kept in
// values, `=`/`:` delimiters, lower-cased option names, a [DEFAULT] section, %-interpolation).
// Several files read into one store merge like repeated ConfigParser.read() calls.
// Everything here runs in time linear in the input (no regex that can backtrack on a long line).
import { printableLine } from '../../../core/safety/text.js';

/** Where a value was written. */
export interface Origin {
  file: string;
  line: number;
}

export interface Entry extends Origin {
  value: string;
}

/** A configparser.Error: the file itself is malformed. */
export class IniSyntaxError extends Error {
  constructor(readonly origin: Origin, message: string) {
    super(`${origin.file}:${origin.line}: ${message}`);
    this.name = 'IniSyntaxError';
  }
}

/** A configparser.Error raised while reading a value (missing section/option, bad `%`). */
export class IniLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IniLookupError';
  }
}

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;
const SECTION_RE = /^\[(.+)\]/s;
const COMMENT_PREFIXES = ['#', ';'];
/** Resource bounds for %-interpolation (configparser has none and would hang). */
const MAX_INTERPOLATED_CHARS = 4 * 1024 * 1024;
const MAX_INTERPOLATION_STEPS = 1_000_000;
/** Longest piece of a line shown in an error message. */
const MAX_SHOWN = 200;

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/**
 * configparser's OPTCRE `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$` without a regex: a lazy
 * `.*?` followed by `\s*` backtracks quadratically on long runs of spaces. The option is what comes
 * before the first `=` or `:` (trailing space dropped), the value what follows it (leading space dropped).
 */
function splitOption(line: string): { name: string; value: string } | null {
  let d = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '=' || c === ':') {
      d = i;
      break;
    }
  }
  if (d < 0) return null;
  return { name: line.slice(0, d).trimEnd(), value: line.slice(d + 1).trimStart() };
}

/** A piece of a file's line for an error message: one line, control characters escaped, length capped. */
const shown = (s: string) => {
  const line = printableLine(s);
  return line.length > MAX_SHOWN ? `${line.slice(0, MAX_SHOWN)}... (${s.length} characters)` : line;
};

export interface ReadOptions {
  /**
   * Whether error messages may quote the file's content. Off for files that are not a project's
   * own `.ini` (an `extra_configs` entry may name /proc/self/environ or any other file).
   */
  echo?: boolean;
}

/**
 * Where configparser's inline comment starts, or -1. Quirk kept on purpose: it scans the n-th
 * occurrence of every prefix per round, so in `a#b #c ;d` the comment starts at `;`.
 */
function inlineCommentStart(line: string): number {
  let start = Infinity;
  let found = new Map<string, number>(COMMENT_PREFIXES.map((p) => [p, -1]));
  while (start === Infinity && found.size) {
    const next = new Map<string, number>();
    for (const [prefix, from] of found) {
      const i = line.indexOf(prefix, from + 1);
      if (i === -1) continue;
      next.set(prefix, i);
      if (i === 0 || isSpace(line[i - 1])) start = Math.min(start, i);
    }
    found = next;
  }
  return start === Infinity ? -1 : start;
}

export class IniStore {
  /** Sections in first-seen order (like Python dicts, a re-set key keeps its place). */
  readonly sections = new Map<string, Map<string, Entry>>();
  readonly defaults = new Map<string, Entry>();

  /** configparser's _read: one file's text merged into the store. */
  read(text: string, file: string, opts: ReadOptions = {}): void {
    const echo = opts.echo ?? true;
    const quote = (prefix: string, s: string) => (echo ? `${prefix}${shown(s)}` : '');
    const added = new Set<string>(); // strict mode: no section or option twice in one file
    const pending: Array<{ entry: Entry; lines: string[] }> = [];
    let cursect: Map<string, Entry> | null = null;
    let sectname = '';
    let current: { entry: Entry; lines: string[] } | null = null;
    let indentLevel = 0;
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    lines.forEach((line, idx) => {
      const lineno = idx + 1;
      let commentStart = inlineCommentStart(line);
      if (COMMENT_PREFIXES.some((p) => line.trim().startsWith(p))) commentStart = 0;
      const value = (commentStart < 0 ? line : line.slice(0, commentStart)).trim();
      if (!value) {
        // A blank line (not a comment line) inside a value is kept; trailing ones are trimmed at the end.
        if (commentStart < 0 && cursect && current) current.lines.push('');
        return;
      }
      const indent = line.search(/\S/);
      if (cursect && current && indent > indentLevel) {
        current.lines.push(value);
        return;
      }
      indentLevel = indent;
      const header = SECTION_RE.exec(value);
      if (header) {
        sectname = header[1];
        if (this.sections.has(sectname)) {
          if (added.has(sectname)) throw new IniSyntaxError({ file, line: lineno }, echo ? `section [${shown(sectname)}] already defined in this file` : 'a section already defined in this file');
          cursect = this.sections.get(sectname)!;
        } else if (sectname === DEFAULT_SECTION) {
          cursect = this.defaults;
        } else {
          cursect = new Map();
          this.sections.set(sectname, cursect);
        }
        added.add(sectname);
        current = null;
        return;
      }
      if (value.startsWith('[')) throw new IniSyntaxError({ file, line: lineno }, `unclosed section header${quote(': ', value)}`);
      if (!cursect) throw new IniSyntaxError({ file, line: lineno }, `option outside any [section]${quote(': ', value)}`);
      const opt = splitOption(value);
      if (!opt || !opt.name) throw new IniSyntaxError({ file, line: lineno }, `expected "name = value"${quote(', got: ', value)}`);
      const name = opt.name.toLowerCase();
      const key = `${sectname}\0${name}`;
      if (added.has(key)) throw new IniSyntaxError({ file, line: lineno }, echo ? `option "${shown(name)}" already set in [${shown(sectname)}] in this file` : 'an option already set in the same section of this file');
      added.add(key);
      current = { entry: { value: '', file, line: lineno }, lines: [opt.value.trim()] };
      pending.push(current);
      cursect.set(name, current.entry);
    });
    for (const p of pending) p.entry.value = p.lines.join('\n').trimEnd();
  }

  hasSection(section: string): boolean {
    return this.sections.has(section);
  }

  /** Option names of a section, [DEFAULT]'s included (configparser's options()). */
  options(section: string): string[] {
    const own = this.sections.get(section);
    if (!own) throw new IniLookupError(`No section: '${section}'`);
    return [...new Set([...own.keys(), ...this.defaults.keys()])];
  }

  hasOption(section: string, option: string): boolean {
    return Boolean(this.sections.get(section)?.has(option) || (this.sections.has(section) && this.defaults.has(option)));
  }

  entry(section: string, option: string): Entry {
    const own = this.sections.get(section);
    if (!own && section !== DEFAULT_SECTION) throw new IniLookupError(`No section: '${section}'`);
    const e = own?.get(option) ?? this.defaults.get(option);
    if (!e) throw new IniLookupError(`No option '${option}' in section: '${section}'`);
    return e;
  }

  /** configparser's get(): the stored value with BasicInterpolation (`%(name)s`, `%%`) applied. */
  get(section: string, option: string): Entry {
    const e = this.entry(section, option);
    if (!e.value.includes('%')) return e;
    const out: string[] = [];
    this.interpolate(section, option, e.value, out, 1, { chars: 0, steps: 0 });
    return { ...e, value: out.join('') };
  }

  private interpolate(section: string, option: string, rest: string, out: string[], depth: number, budget: { chars: number; steps: number }): void {
    if (depth > MAX_INTERPOLATION_DEPTH) throw new IniLookupError(`Recursion limit exceeded in value substitution: option '${option}' in section '${section}'`);
    const emit = (s: string) => {
      budget.chars += s.length;
      if (budget.chars > MAX_INTERPOLATED_CHARS) throw new IniLookupError(`value substitution in option '${option}' of section '${section}' grows past ${MAX_INTERPOLATED_CHARS} characters`);
      out.push(s);
    };
    while (rest) {
      if (++budget.steps > MAX_INTERPOLATION_STEPS) throw new IniLookupError(`value substitution in option '${option}' of section '${section}' takes more than ${MAX_INTERPOLATION_STEPS} steps`);
      const p = rest.indexOf('%');
      if (p < 0) {
        emit(rest);
        return;
      }
      emit(rest.slice(0, p));
      rest = rest.slice(p);
      const c = rest[1];
      if (c === '%') {
        emit('%');
        rest = rest.slice(2);
      } else if (c === '(') {
        const m = /^%\(([^)]+)\)s/.exec(rest);
        if (!m) throw new IniLookupError(`bad interpolation variable reference '${shown(rest)}' in option '${option}' of section '${section}'`);
        rest = rest.slice(m[0].length);
        const name = m[1].toLowerCase();
        let v: string;
        try {
          v = this.entry(section, name).value;
        } catch {
          throw new IniLookupError(`Bad value substitution: option '${option}' in section '${section}' references '%(${name})s', which is not set`);
        }
        if (v.includes('%')) this.interpolate(section, option, v, out, depth + 1, budget);
        else emit(v);
      } else {
        throw new IniLookupError(`'%' must be followed by '%' or '(' in option '${option}' of section '${section}', found: '${shown(rest)}'`);
      }
    }
  }
}
