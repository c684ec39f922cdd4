// PlatformIO's ProjectConfig (platformio/project/config.py), the parts that decide what a value
// is: extra_configs, the [env] + `extends` lookup order, known-option defaults and types, and
// `${section.option}` interpolation. Deliberate differences: `${PROJECT_DIR}` and other
// section-less variables stay as written (they belong to the build), and inputs PlatformIO
// would hang or crash on (loops, malformed files) raise PioConfigError naming file and line.
// Hostile input is bounded too: files are read through readInputFile (regular files only, capped
// size), extra_configs may pull in at most MAX_CONFIG_FILES files, nesting and expansion of values
// are capped, and parse errors quote a line only from the project's own .ini files.
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { InputFileError, readInputFile } from '../../../core/safety/read.js';
import { printableLine } from '../../../core/safety/text.js';
import { GlobError, Globber } from './glob.js';
import { IniLookupError, IniStore, IniSyntaxError, type Entry, type Origin } from './ini.js';
import { findOptionMeta, type OptionMeta, type OptionType } from './options.js';
import { CpdError, EXIT } from '../../../core/errors.js';

/** Files extra_configs may pull in, all patterns of all files together (PlatformIO has no limit). */
export const MAX_CONFIG_FILES = 256;
/** `${section.option}` references nested inside each other (Python's recursion limit stops PlatformIO near 200). */
export const MAX_INTERPOLATION_NESTING = 100;
/** `extends` chains (PlatformIO has no limit; no real project comes near). */
export const MAX_EXTENDS_DEPTH = 100;
/** Characters one value may grow to through `${...}` (the input files themselves are at most 4 MiB). */
export const MAX_VALUE_CHARS = 4 * 1024 * 1024;

/**
 * The project cannot be read at all (src/cli.ts turns this name into exit code 2). The message
 * is printed as it is, so it is made one printable line here: it may quote names from the files.
 */
export class PioConfigError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(message: string) {
    super(printableLine(message));
    this.name = 'PioConfigError';
  }
}

/** One value PlatformIO itself fails to resolve (InvalidProjectConfError, ProjectOptionValueError). */
export class UnresolvableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

export const isUnresolvable = (e: unknown): e is Error => e instanceof UnresolvableError || e instanceof IniLookupError;

export type Value = string | number | boolean | string[] | null;
const MISSING = Symbol('missing');
type Maybe = Value | typeof MISSING;

export const where = (o: Origin) => `${o.file}:${o.line}`;

/**
 * `value.replace(/\$\{(?:([^.}()]+)\.)?([^}]+)\}/g, fn)` (PlatformIO's VARTPL_RE) as a scan:
 * the regex rescans to the end of the value from every `${` when no `}` follows (quadratic).
 * A reference runs from `${` to the next `}`; it has a section when its first `.` comes after at
 * least one character that is not `(` or `)` and is followed by at least one more character.
 */
function replaceVars(value: string, fn: (whole: string, section: string | undefined, option: string) => string): string {
  let out = '';
  let from = 0;
  let p = value.indexOf('${');
  while (p >= 0) {
    const q = value.indexOf('}', p + 2);
    if (q < 0) break; // no reference can end: nothing more to replace
    if (q === p + 2) {
      p = value.indexOf('${', p + 1);
      continue;
    }
    const inner = value.slice(p + 2, q);
    const dot = inner.indexOf('.');
    const head = dot > 0 ? inner.slice(0, dot) : '';
    const sectioned = dot > 0 && dot < inner.length - 1 && !head.includes('(') && !head.includes(')');
    out += value.slice(from, p) + (sectioned ? fn(value.slice(p, q + 1), head, inner.slice(dot + 1)) : fn(value.slice(p, q + 1), undefined, inner));
    from = q + 1;
    p = value.indexOf('${', from);
  }
  return out + value.slice(from);
}

/** `item.replace(/\s+;.*$/, '')` without the regex (quadratic on long runs of spaces). */
function dropInlineComment(item: string): string {
  // `.` stops at line terminators, so the `;` must come after the last one
  let last = -1;
  for (let i = item.length - 1; i >= 0; i--) {
    const c = item[i];
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
      last = i;
      break;
    }
  }
  for (let j = item.indexOf(';', last + 1); j >= 0; j = item.indexOf(';', j + 1)) {
    if (j === 0 || !/\s/.test(item[j - 1])) continue;
    let start = j - 1;
    while (start > 0 && /\s/.test(item[start - 1])) start--;
    return item.slice(0, start);
  }
  return item;
}

/** parse_multi_values: newline-separated if there is a newline, else ", "-separated; comments dropped. */
export function parseMultiValues(items: Value): string[] {
  if (!items) return [];
  const list = Array.isArray(items) ? items : String(items).split(String(items).includes('\n') ? '\n' : ', ');
  const out: string[] = [];
  for (let item of list) {
    item = item.trim();
    if (!item || item.startsWith(';') || item.startsWith('#')) continue;
    if (item.includes(';')) item = dropInlineComment(item).trim();
    out.push(item);
  }
  return out;
}

/** str() of a value as Python prints it, for interpolating it into another value. */
function pyStr(v: Value): string {
  if (Array.isArray(v)) return v.join('\n');
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** os.path.expanduser for `~` and `~/...` (the only forms PlatformIO projects use). */
const expandUser = (p: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p);

/** realpath, or the path itself when it cannot be resolved. */
function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

const TRUE = ['1', 'true', 't', 'yes', 'y', 'on'];
const FALSE = ['0', 'false', 'f', 'no', 'n', 'off'];

export class ProjectConfig {
  readonly ini = new IniStore();
  private readonly parsed = new Set<string>();
  private readonly globber: Globber;
  /** get() calls in progress: meeting one again is an interpolation loop. */
  private readonly stack: Array<{ key: string; ref: string; origin?: Origin }> = [];
  private readonly acyclic = new Set<string>();
  /** `${section.option}` values already expanded (reset whenever another file is read). */
  private readonly expanded = new Map<string, string>();
  /** The project folder with symlinks resolved, to tell the project's own files from others. */
  private readonly realProjectDir: string;
  /** Files read through extra_configs so far. */
  private includes = 0;
  /** The repository with symlinks resolved: extra_configs outside it are not read. */
  private readonly realBoundary: string;
  /** One line per file extra_configs names outside the repository (not read). */
  readonly warnings: string[] = [];

  readonly projectDir: string;

  /**
   * `boundary`: the repository root (default: the project folder). A file extra_configs pulls in
   * from outside it (`~/secrets.ini`, `/etc/...`, a link out of the repository) is not read, with a
   * warning: the build container cannot see it either, and its values (`${pypi.password}`) must not
   * reach the generated files, which are committed.
   */
  constructor(
    projectDir: string,
    private readonly environ: NodeJS.ProcessEnv = process.env,
    boundary?: string,
  ) {
    this.projectDir = resolve(projectDir);
    this.globber = new Globber(this.projectDir);
    this.realProjectDir = realOrSelf(this.projectDir);
    this.realBoundary = realOrSelf(resolve(boundary ?? this.projectDir));
    const main = join(this.projectDir, 'platformio.ini');
    if (!existsSync(main)) throw new PioConfigError(`no platformio.ini in ${this.projectDir}`);
    this.read(main, true);
  }

  /** Inside the repository, symlinks resolved (a file that does not exist is skipped later, as PlatformIO skips it). */
  private inside(abs: string): boolean {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      return true;
    }
    const root = this.realBoundary.endsWith(sep) ? this.realBoundary : this.realBoundary + sep;
    return real === this.realBoundary || real.startsWith(root);
  }

  /** A `.ini` file inside the project folder (symlinks resolved): its lines may be quoted in errors. */
  private ownIni(abs: string): boolean {
    const real = realOrSelf(abs);
    return real.endsWith('.ini') && real.startsWith(this.realProjectDir.endsWith(sep) ? this.realProjectDir : this.realProjectDir + sep);
  }

  private read(path: string, required = false, from?: string): void {
    if (this.parsed.has(path)) return;
    this.parsed.add(path);
    const abs = isAbsolute(path) ? path : join(this.projectDir, path);
    if (!required && !this.inside(abs)) {
      this.warnings.push(printableLine(`${from ?? abs}: [platformio] extra_configs: ${abs} is outside the repository: not read (the build container cannot see it, and none of its values go into the generated files)`));
      return;
    }
    let text: string;
    try {
      text = readInputFile(abs);
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      if (required) throw new PioConfigError(`cannot read ${e.message}`);
      if (e.cannotOpen) return; // configparser.read() skips files it cannot open (and directories)
      // PlatformIO would hang on a FIFO or device and read any size: refuse instead
      throw new PioConfigError(`${from ?? abs}: [platformio] extra_configs: ${e.message}`);
    }
    if (!required && ++this.includes > MAX_CONFIG_FILES) throw new PioConfigError(`${from ?? abs}: [platformio] extra_configs pulls in more than ${MAX_CONFIG_FILES} files (the limit of this tool)`);
    try {
      this.ini.read(text, abs, { echo: this.ownIni(abs) });
    } catch (e) {
      if (e instanceof IniSyntaxError) throw new PioConfigError(e.message);
      throw e;
    }
    this.expanded.clear();
    // Like PlatformIO: after every file, (re)read extra_configs, which that file may have changed.
    let patterns: string[];
    let origin: Origin | undefined;
    try {
      patterns = this.get('platformio', 'extra_configs', []) as string[];
      origin = this.origin('platformio', 'extra_configs');
    } catch (e) {
      if (isUnresolvable(e)) throw new PioConfigError(`${abs}: [platformio] extra_configs: ${e.message}`);
      throw e;
    }
    const at = origin ? where(origin) : abs;
    for (const pattern of patterns) {
      let items: string[];
      try {
        items = this.globber.glob(expandUser(pattern));
      } catch (e) {
        if (!(e instanceof GlobError)) throw e;
        throw new PioConfigError(`${at}: [platformio] extra_configs: "${pattern}" ${e.message}`);
      }
      for (const item of items) this.read(item, false, at);
    }
  }

  envs(): string[] {
    return [...this.ini.sections.keys()].filter((s) => s.startsWith('env:')).map((s) => s.slice(4));
  }

  /** Where the value of an option (as looked up through [env] and `extends`) is written. */
  origin(section: string, option: string): Origin | undefined {
    const at = this.locate(section, option, findOptionMeta(section, option));
    return at && this.ini.entry(...at);
  }

  get(section: string, option: string, def: Maybe = MISSING): Value {
    const key = `${section}\0${option}`;
    const ref = `\${${section}.${option}}`;
    const loop = this.stack.findIndex((f) => f.key === key);
    if (loop >= 0) {
      const chain = [...this.stack.slice(loop).map((f) => f.ref), ref].join(' -> ');
      const at = this.stack[this.stack.length - 1].origin;
      throw new PioConfigError(`${at ? `${where(at)}: ` : ''}interpolation loop: ${chain}`);
    }
    if (this.stack.length >= MAX_INTERPOLATION_NESTING) {
      const at = this.stack[this.stack.length - 1].origin;
      throw new PioConfigError(`${at ? `${where(at)}: ` : ''}\${...} references nested more than ${MAX_INTERPOLATION_NESTING} deep (at ${ref}; the limit of this tool)`);
    }
    this.stack.push({ key, ref });
    try {
      const meta = findOptionMeta(section, option);
      let value = this.getraw(section, option, def, meta);
      if (!meta) return value;
      if (meta.dir && typeof value === 'string' && value && !(value.includes('${') && value.includes('}'))) {
        value = resolve(this.projectDir, expandUser(value));
      }
      if (meta.multiple) value = parseMultiValues(value);
      return this.castTo(value, meta.type);
    } finally {
      this.stack.pop();
    }
  }

  private getraw(section: string, option: string, def: Maybe, meta: OptionMeta | undefined): Value {
    const found = this.traverse(section, option, meta);
    let value: Maybe = found ? found.value : MISSING;
    this.stack[this.stack.length - 1].origin = found;
    if (!meta) {
      if (value === MISSING) {
        if (def !== MISSING) value = def;
        else value = this.ini.get(section, option).value; // throws: no such section/option
      }
      return this.expand(section, value);
    }
    if (meta.sysenvvar) {
      let envvar = this.environ[meta.sysenvvar];
      for (const old of meta.oldnames ?? []) envvar ||= this.environ[`PLATFORMIO_${old.toUpperCase()}`];
      if (envvar && meta.multiple) {
        const base = value === MISSING ? '' : String(value);
        value = base + (base ? '\n' : '') + envvar;
      } else if (envvar) value = envvar;
    }
    if (value === MISSING) {
      const d = def !== MISSING ? def : (meta.default ?? null);
      value = typeof d === 'function' ? d(this.projectDir) : d;
    }
    return this.expand(section, value);
  }

  /** The first definition along PlatformIO's lookup order (the option or one of its old names). */
  private locate(section: string, option: string, meta: OptionMeta | undefined): [string, string] | undefined {
    const names = [option];
    if (meta) for (const n of [meta.name, ...(meta.oldnames ?? [])]) if (!names.includes(n)) names.push(n);
    for (const sec of this.walk(section)) {
      const opt = this.firstOption(sec, names);
      if (opt !== undefined) return [sec, opt];
    }
    return undefined;
  }

  /**
   * The first of `names` in the section's options() order (its own options in file order, then
   * [DEFAULT]'s), found by lookups rather than by going through every option.
   */
  private firstOption(section: string, names: string[]): string | undefined {
    for (const map of [this.ini.sections.get(section)!, this.ini.defaults]) {
      const present = names.filter((n) => map.has(n));
      if (present.length === 1) return present[0];
      if (present.length > 1) for (const k of map.keys()) if (present.includes(k)) return k;
    }
    return undefined;
  }

  private traverse(section: string, option: string, meta: OptionMeta | undefined): Entry | undefined {
    const at = this.locate(section, option, meta);
    return at && this.ini.get(...at);
  }

  /**
   * walk_options: the section, then its `extends` parents depth-first, the last parent first
   * (platformio-core pops them from a stack); for `env:NAME`, [env] comes last of all.
   */
  private *walk(root: string): Generator<string> {
    const queue = root.startsWith('env:') ? ['env', root] : [root];
    for (const s of queue) this.checkExtends(s, []);
    // Without cycles (checkExtends), a section met again has had all its parents walked already:
    // skipping it changes nothing but keeps diamonds (a extends b, b; b extends c, c; ...) linear.
    const seen = new Set<string>();
    while (queue.length) {
      const section = queue.pop()!;
      if (seen.has(section)) continue;
      seen.add(section);
      if (!this.ini.hasSection(section)) continue;
      yield section;
      if (this.ini.hasOption(section, 'extends')) for (const parent of parseMultiValues(this.ini.get(section, 'extends').value)) queue.push(parent);
    }
  }

  /** PlatformIO loops forever on `extends` cycles; refuse them instead. */
  private checkExtends(section: string, path: string[]): void {
    if (this.acyclic.has(section) || !this.ini.hasSection(section) || !this.ini.hasOption(section, 'extends')) return;
    const e = this.ini.get(section, 'extends');
    if (path.length >= MAX_EXTENDS_DEPTH) throw new PioConfigError(`${where(e)}: extends chain longer than ${MAX_EXTENDS_DEPTH} sections (the limit of this tool)`);
    const chain = [...path, section];
    for (const parent of parseMultiValues(e.value)) {
      if (chain.includes(parent)) throw new PioConfigError(`${where(e)}: extends loop: ${[...chain, parent].map((s) => `[${s}]`).join(' -> ')}`);
      this.checkExtends(parent, chain);
    }
    this.acyclic.add(section);
  }

  private expand(section: string, value: Value): Value {
    if (typeof value !== 'string' || !value.includes('${') || !value.includes('}')) return value;
    let size = value.length;
    return replaceVars(value, (whole, sec, opt) => {
      const v = this.interpolate(section, whole, sec, opt);
      size += v.length - whole.length;
      if (size > MAX_VALUE_CHARS) {
        const at = this.stack[this.stack.length - 1]?.origin;
        throw new PioConfigError(`${at ? `${where(at)}: ` : ''}[${section}] a value grows past ${MAX_VALUE_CHARS} characters through \${...} references (the limit of this tool)`);
      }
      return v;
    });
  }

  private interpolate(parent: string, whole: string, section: string | undefined, option: string): string {
    if (section === undefined) return whole; // ${PIOENV}, ${PROJECT_DIR}: build variables
    if (section === 'sysenv') return this.environ[option] ?? '';
    if (section === 'this') {
      section = parent;
      if (option === '__env__') {
        if (!parent.startsWith('env:')) throw new UnresolvableError(`${whole} used in [${parent}], which is not an [env:NAME] section`);
        return parent.slice(4);
      }
    }
    const key = `${section}\0${option}`;
    const known = this.expanded.get(key);
    if (known !== undefined) return known;
    try {
      const v = pyStr(this.get(section, option));
      this.expanded.set(key, v);
      return v;
    } catch (e) {
      if (isUnresolvable(e)) throw new UnresolvableError(`${whole}: ${e.message}`);
      throw e;
    }
  }

  /** cast_to with the option's click type. */
  private castTo(value: Value, type: OptionType | undefined): Value {
    if (!type || type === 'str' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => String(this.castTo(v, type)));
    const bad = (what: string) => new UnresolvableError(`'${String(value)}' is not ${what}`);
    if (Array.isArray(type)) {
      if (!type.includes(String(value))) throw bad(`one of ${type.join(', ')}`);
      return value;
    }
    if (type === 'bool') {
      if (typeof value === 'boolean') return value;
      const v = String(value).trim().toLowerCase();
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      throw bad('a valid boolean');
    }
    if (type === 'path') {
      if (!existsSync(resolve(this.projectDir, String(value)))) throw bad('an existing file');
      return value;
    }
    if (typeof value !== 'number') {
      const s = String(value).trim();
      if (!/^[+-]?\d+(_\d+)*$/.test(s)) throw bad('a valid integer');
      value = Number(s.replace(/_/g, ''));
    }
    if (type === 'bit' && value !== 0 && value !== 1) throw bad('in the range 0<=x<=1');
    return value;
  }
}
