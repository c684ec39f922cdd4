// PlatformIO's ProjectConfig (platformio/project/config.py), the parts that decide what a value
// is: extra_configs, the [env] + `extends` lookup order, known-option defaults and types, and
// `${section.option}` interpolation. Deliberate differences: `${PROJECT_DIR}` and other
// section-less variables stay as written (they belong to the build), and inputs PlatformIO
// would hang or crash on (loops, malformed files) raise PioConfigError naming file and line.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Globber } from './glob.js';
import { IniLookupError, IniStore, IniSyntaxError, type Entry, type Origin } from './ini.js';
import { findOptionMeta, type OptionMeta, type OptionType } from './options.js';

/** The project cannot be read at all (src/cli.ts turns this name into exit code 2). */
export class PioConfigError extends Error {
  constructor(message: string) {
    super(message);
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

const VARTPL_RE = /\$\{(?:([^.}()]+)\.)?([^}]+)\}/g;
const INLINE_COMMENT_RE = /\s+;.*$/;

export const where = (o: Origin) => `${o.file}:${o.line}`;

/** parse_multi_values: newline-separated if there is a newline, else ", "-separated; comments dropped. */
export function parseMultiValues(items: Value): string[] {
  if (!items) return [];
  const list = Array.isArray(items) ? items : String(items).split(String(items).includes('\n') ? '\n' : ', ');
  const out: string[] = [];
  for (let item of list) {
    item = item.trim();
    if (!item || item.startsWith(';') || item.startsWith('#')) continue;
    if (item.includes(';')) item = item.replace(INLINE_COMMENT_RE, '').trim();
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

const TRUE = ['1', 'true', 't', 'yes', 'y', 'on'];
const FALSE = ['0', 'false', 'f', 'no', 'n', 'off'];

export class ProjectConfig {
  readonly ini = new IniStore();
  private readonly parsed = new Set<string>();
  private readonly globber: Globber;
  /** get() calls in progress: meeting one again is an interpolation loop. */
  private readonly stack: Array<{ key: string; ref: string; origin?: Origin }> = [];
  private readonly acyclic = new Set<string>();

  readonly projectDir: string;

  constructor(
    projectDir: string,
    private readonly environ: NodeJS.ProcessEnv = process.env,
  ) {
    this.projectDir = resolve(projectDir);
    this.globber = new Globber(this.projectDir);
    const main = join(this.projectDir, 'platformio.ini');
    if (!existsSync(main)) throw new PioConfigError(`no platformio.ini in ${this.projectDir}`);
    this.read(main, true);
  }

  private read(path: string, required = false): void {
    if (this.parsed.has(path)) return;
    this.parsed.add(path);
    const abs = isAbsolute(path) ? path : join(this.projectDir, path);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (e) {
      if (required) throw new PioConfigError(`cannot read ${abs}: ${(e as Error).message}`);
      return; // configparser.read() skips files it cannot open
    }
    try {
      this.ini.read(text, abs);
    } catch (e) {
      if (e instanceof IniSyntaxError) throw new PioConfigError(e.message);
      throw e;
    }
    // Like PlatformIO: after every file, (re)read extra_configs, which that file may have changed.
    let patterns: string[];
    try {
      patterns = this.get('platformio', 'extra_configs', []) as string[];
    } catch (e) {
      if (isUnresolvable(e)) throw new PioConfigError(`${abs}: [platformio] extra_configs: ${e.message}`);
      throw e;
    }
    for (const pattern of patterns) {
      for (const item of this.globber.glob(expandUser(pattern))) this.read(item);
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
    for (const [sec, opt] of this.walk(section)) {
      if (opt === option || (meta && (meta.name === opt || meta.oldnames?.includes(opt)))) return [sec, opt];
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
  private *walk(root: string): Generator<[string, string]> {
    const queue = root.startsWith('env:') ? ['env', root] : [root];
    for (const s of queue) this.checkExtends(s, []);
    while (queue.length) {
      const section = queue.pop()!;
      if (!this.ini.hasSection(section)) continue;
      for (const opt of this.ini.options(section)) yield [section, opt];
      if (this.ini.hasOption(section, 'extends')) queue.push(...parseMultiValues(this.ini.get(section, 'extends').value));
    }
  }

  /** PlatformIO loops forever on `extends` cycles; refuse them instead. */
  private checkExtends(section: string, path: string[]): void {
    if (this.acyclic.has(section) || !this.ini.hasSection(section) || !this.ini.hasOption(section, 'extends')) return;
    const e = this.ini.get(section, 'extends');
    const chain = [...path, section];
    for (const parent of parseMultiValues(e.value)) {
      if (chain.includes(parent)) throw new PioConfigError(`${where(e)}: extends loop: ${[...chain, parent].map((s) => `[${s}]`).join(' -> ')}`);
      this.checkExtends(parent, chain);
    }
    this.acyclic.add(section);
  }

  private expand(section: string, value: Value): Value {
    if (typeof value !== 'string' || !value.includes('${') || !value.includes('}')) return value;
    return value.replace(VARTPL_RE, (whole: string, sec: string | undefined, opt: string) => this.interpolate(section, whole, sec, opt));
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
    try {
      return pyStr(this.get(section, option));
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
