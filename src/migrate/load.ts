// Reads old compose files with the yaml Document API (comments and anchors kept for the writer)
// and refuses, with a reason, what the migration cannot handle: invalid YAML, template syntax,
// custom tags other than compose v2's merge tags, `extends:` pointing at files it cannot read.
// Compose v2's `!reset` / `!override` become markers in the plain data (merge.ts applies them);
// `include:` entries are loaded as files of the same project (compose v2 imports them).
// Hostile input is bounded: files are read through readInputFile (regular files only, capped
// size) and not through a symlink that leads out of the project; aliases are limited in number
// and in how far they expand (billion laughs); any failure of the YAML library is reported as a
// MigrateInputError naming the file.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { isAlias, isCollection, isPair, isScalar, Lexer, LineCounter, Pair, parseDocument, Scalar, visit, YAMLMap, type Document } from 'yaml';
import { CpdError, EXIT } from '../core/errors.js';
import { InputFileError, readInputFile } from '../core/safety/read.js';
import { printableLine } from '../core/safety/text.js';
import { MERGE_TAGS, mergeService } from './merge.js';

/** Input the migration cannot handle: a clear message, nothing written (exit 2). One printable line. */
export class MigrateInputError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(
    message: string,
    /** `template`: a template to render (never an overlay of anything); `input`: anything else. */
    readonly kind: 'template' | 'input' = 'input',
  ) {
    super(printableLine(message));
    this.name = 'MigrateInputError';
  }
}

/** Compose files are read up to this size (real ones are a few KB; the YAML library takes seconds per MB). */
export const MAX_COMPOSE_BYTES = 1024 * 1024;
/** `[`/`{` nesting (the YAML library fails near 800 levels anyway, and slowly: seconds per 100 K). */
export const MAX_FLOW_NESTING = 1000;

/** Anchors and aliases in one file (resolving an alias scans them all: keep it far from quadratic trouble). */
export const MAX_ANCHORS_AND_ALIASES = 5000;
/** Nodes of one file with every alias expanded (a billion-laughs file expands to billions). */
export const MAX_EXPANDED_NODES = 1_000_000;

const isInside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The text of a file of the project, for the migration: a regular file of bounded size, and not
 * one that a symlink (of the file or of a folder on its way) takes out of the project folder.
 * A path that is outside the project as written (`extends: file: ../x.yml`) is read as asked.
 */
export function readProjectFile(path: string, root: string, label: string, maxBytes?: number): string {
  if (isInside(root, path)) {
    let real: string | null = null;
    try {
      real = realpathSync(path);
    } catch {
      // missing or unreadable: readInputFile says which
    }
    if (real !== null && !isInside(realpathSync(root), real)) throw new MigrateInputError(`${label}: a symlink to a file outside the project folder; refusing to read it`);
  }
  try {
    return readInputFile(path, label, maxBytes);
  } catch (e) {
    if (e instanceof InputFileError) throw new MigrateInputError(e.message);
    throw e;
  }
}

/**
 * `/\{\{-?\s*[A-Za-z_][\w.]*\s*(\|[^}]*)?-?\}\}/.test(line)` as a scan: the regex rescans to the
 * next `}` from every `{{ x |`, which is quadratic on a long line of them.
 */
function hasJinjaExpression(l: string): boolean {
  const space = (c: string | undefined) => c !== undefined && /\s/.test(c);
  let brace = -1; // the next `}` at or after the scan position (-1: not looked up yet)
  for (let p = l.indexOf('{{'); p >= 0; p = l.indexOf('{{', p + 1)) {
    let i = p + 2;
    if (l[i] === '-') i++;
    while (space(l[i])) i++;
    if (!/[A-Za-z_]/.test(l[i] ?? '')) continue;
    i++;
    while (i < l.length && /[\w.]/.test(l[i])) i++;
    while (space(l[i])) i++;
    if (l[i] === '|') {
      if (brace < i) brace = l.indexOf('}', i);
      if (brace < 0) return false; // no `}` left on the line: nothing further can match
      i = brace;
    } else if (l[i] === '-') i++;
    if (l[i] === '}' && l[i + 1] === '}') return true;
  }
  return false;
}

/**
 * Refuses alias bombs before the yaml library expands anything: too many anchors and aliases, an
 * alias inside its own anchor, or more than MAX_EXPANDED_NODES nodes once every alias is expanded.
 */
function checkAliases(doc: Document, label: string): void {
  const target = new Map<unknown, unknown>();
  const anchors = new Map<string, unknown>();
  let marks = 0;
  visit(doc, {
    Node(_k, node) {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor || isAlias(node)) {
        if (++marks > MAX_ANCHORS_AND_ALIASES) throw new MigrateInputError(`${label}: more than ${MAX_ANCHORS_AND_ALIASES} YAML anchors and aliases (the limit of this tool)`);
      }
      if (anchor) anchors.set(anchor, node);
      if (isAlias(node)) target.set(node, anchors.get(node.source));
    },
  });
  if (!target.size) return;
  const size = new Map<unknown, number>();
  const busy = new Set<unknown>();
  const tooBig = () => new MigrateInputError(`${label}: YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes (an alias bomb?); refusing to read it`);
  const count = (node: unknown): number => {
    if (isAlias(node)) node = target.get(node);
    if (node === undefined || node === null) return 1;
    const known = size.get(node);
    if (known !== undefined) return known;
    if (busy.has(node)) throw new MigrateInputError(`${label}: a YAML alias inside the node it refers to (a recursive structure); refusing to read it`);
    busy.add(node);
    let n = 1;
    if (isCollection(node)) {
      for (const item of node.items) {
        n += isPair(item) ? count(item.key) + count(item.value) : count(item);
        if (n > MAX_EXPANDED_NODES) throw tooBig();
      }
    }
    busy.delete(node);
    size.set(node, n);
    return n;
  };
  if (count(doc.contents) > MAX_EXPANDED_NODES) throw tooBig();
}

/** The deepest `[ ]` / `{ }` nesting, from the yaml library's lexer (fast; scalars and comments come as one token each). */
function flowNesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') max = Math.max(max, ++depth);
    else if ((token === ']' || token === '}') && depth > 0) depth--;
  }
  return max;
}

/**
 * The yaml library's uniqueKeys check compares every key with every earlier key of its map
 * (quadratic: a 400 KB file of keys takes half a minute). The same check with a set per map.
 */
function checkUniqueKeys(doc: Document, label: string, lines: LineCounter): void {
  visit(doc, {
    Map(_k, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          const at = pair.key.range ? lines.linePos(pair.key.range[0]) : undefined;
          throw new MigrateInputError(`${label}: invalid YAML: Map keys must be unique${at ? ` at line ${at.line}, column ${at.col}` : ''}`);
        }
        seen.add(pair.key.value);
      }
    },
  });
}

/** What went wrong in the yaml library, as one line (its messages may be several). */
const yamlFailure = (e: unknown) => {
  const err = e as Error;
  if (err instanceof RangeError) return 'nested too deeply';
  if (err instanceof ReferenceError && /alias/i.test(err.message)) return `too many YAML alias expansions (${err.message.split('\n')[0]})`;
  return `cannot be read as YAML (${(err?.message ?? String(e)).split('\n')[0]})`;
};

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

export interface ComposeFile {
  /** Absolute path. */
  path: string;
  /** File name (files of one group share a folder). */
  name: string;
  text: string;
  doc: Document;
  /** Plain data, `<<` merge keys resolved. */
  data: Obj;
  /** Services with `extends:` resolved (plain data). */
  services: Record<string, Obj>;
  /** Services whose definition came through `extends:` (their nodes cannot be copied as they are). */
  extended: Set<string>;
  /** Set when the file is a symlink (inside the project): where it points, project-relative. */
  link?: string;
  /** Compose v2 merge tags the file uses (`!reset`, `!override`): only compose v2 can judge them. */
  mergeTags: string[];
  /** `include:` of the file: the included files (loaded), and whether every entry is a plain path. */
  include?: { files: ComposeFile[]; plain: boolean };
}

const TOP_KEYS = new Set(['version', 'name', 'include', 'services', 'volumes', 'networks', 'secrets', 'configs']);
/** How deep `include:` may nest (compose has no limit; real projects use one or two levels). */
const MAX_INCLUDE_DEPTH = 5;
/** Files one compose file may bring in through `include:`, all levels together (a fan-out bomb stops here). */
export const MAX_INCLUDED_FILES = 200;

// Jinja/cookiecutter markup; Docker's own Go templates (`{{.Name}}` in log tags) start with a dot.
const JINJA = [(l: string) => /\{%-?\s/.test(l), hasJinjaExpression];

// The yaml library's YAML 1.1 float pattern also matches a lone `.` (read as NaN, so `build: .`
// would break); PyYAML needs a digit. Same pattern with the digit required.
const FLOAT_11 = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)$/;
type Tag = { tag?: string; format?: string; test?: RegExp };
const customTags = (tags: unknown[]) =>
  (tags as Tag[]).map((t) => (t.tag === 'tag:yaml.org,2002:float' && !t.format && t.test && t.test.source.includes('\\.[0-9_]*$') ? { ...t, test: FLOAT_11 } : t)) as never[];

/** YAML 1.1, as docker-compose 1.29 (PyYAML) reads it: yes/no are booleans, `<<` merge keys work. */
export const YAML11 = { version: '1.1', customTags } as const;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function loadYaml(path: string, label: string, root: string): { text: string; doc: Document; data: Obj; mergeTags: string[] } {
  const text = readProjectFile(path, root, label, MAX_COMPOSE_BYTES);
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const jinja = lines.findIndex((l) => JINJA.some((test) => test(l)));
  if (jinja >= 0) throw new MigrateInputError(`${label}: template syntax ({{ }} / {% %}) — render the template first, then migrate the result`, 'template');
  let doc: Document;
  let data: unknown;
  const mergeTags = new Set<string>();
  try {
    if (flowNesting(text) > MAX_FLOW_NESTING) throw new MigrateInputError(`${label}: [ ] / { } nested more than ${MAX_FLOW_NESTING} deep (the limit of this tool)`);
    const lineCounter = new LineCounter();
    doc = parseDocument(text, { ...YAML11, uniqueKeys: false, prettyErrors: true, lineCounter });
    if (doc.errors.length) throw new MigrateInputError(`${label}: invalid YAML: ${doc.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
    checkUniqueKeys(doc, label, lineCounter);
    visit(doc, {
      Node(_k, node) {
        const tag = (node as { tag?: string }).tag;
        if (tag && MERGE_TAGS.includes(tag)) mergeTags.add(tag);
        else if (tag && !tag.startsWith('tag:yaml.org,2002:')) throw new MigrateInputError(`${label}: custom tag ${tag} (only compose v2's merge tags !reset and !override are understood)`);
      },
    });
    const warnings = doc.warnings.filter((w) => !MERGE_TAGS.some((t) => w.message.startsWith(`Unresolved tag: ${t} `)));
    if (warnings.length) throw new MigrateInputError(`${label}: ${warnings[0].message.split('\n')[0]}`);
    checkAliases(doc, label);
    data = (mergeTags.size ? withTagMarkers(doc) : doc).toJS({ maxAliasCount: 10000 }) as unknown;
  } catch (e) {
    if (e instanceof MigrateInputError) throw e;
    throw new MigrateInputError(`${label}: ${yamlFailure(e)}`);
  }
  if (data === null || data === undefined) return { text, doc, data: {}, mergeTags: [...mergeTags] };
  if (!isObj(data)) throw new MigrateInputError(`${label}: not a compose file (the top level is not a mapping)`);
  return { text, doc, data: data as Obj, mergeTags: [...mergeTags] };
}

/**
 * A copy of the document in which each `!reset X` is `{"!reset": null}` and each `!override X` is
 * `{"!override": X}`: the plain data keeps what compose v2's merge does with them (merge.ts).
 */
function withTagMarkers(doc: Document): Document {
  const marked = doc.clone();
  visit(marked, {
    Node(_k, node) {
      const tag = (node as { tag?: string }).tag;
      if (tag === undefined || !MERGE_TAGS.includes(tag)) return undefined;
      const inner = node.clone();
      (inner as { tag?: string }).tag = undefined;
      const map = new YAMLMap();
      map.items.push(new Pair(new Scalar(tag), tag === '!reset' ? new Scalar(null) : inner));
      return map;
    },
  });
  return marked;
}

/** The paths of one `include:` entry (absolute), and whether it is a plain path (no project_directory/env_file). */
function includePaths(entry: unknown, from: string, label: string): { paths: string[]; plain: boolean } {
  if (typeof entry === 'string') return { paths: [join(from, entry)], plain: true };
  if (isObj(entry)) {
    const p = entry.path;
    const list = typeof p === 'string' ? [p] : Array.isArray(p) && p.every((x) => typeof x === 'string') ? (p as string[]) : null;
    if (list) return { paths: list.map((x) => join(from, x)), plain: Object.keys(entry).every((k) => k === 'path') };
  }
  throw new MigrateInputError(`${label}: include: entries must be paths (or {path: ...})`);
}

/** Loads one compose file; `root` is the project folder, for messages. */
export function loadComposeFile(path: string, root: string, including: string[] = [], budget = { files: MAX_INCLUDED_FILES }): ComposeFile {
  const label = relative(root, path) || basename(path);
  const { text, doc, data, mergeTags } = loadYaml(path, label, root);
  for (const k of Object.keys(data)) {
    if (!TOP_KEYS.has(k) && !k.startsWith('x-')) throw new MigrateInputError(`${label}: unknown top-level key "${k}"`);
  }
  let include: ComposeFile['include'];
  if (data.include !== undefined && data.include !== null) {
    if (!Array.isArray(data.include)) throw new MigrateInputError(`${label}: include: is not a list`);
    if (including.length >= MAX_INCLUDE_DEPTH) throw new MigrateInputError(`${label}: include: nested more than ${MAX_INCLUDE_DEPTH} deep`);
    const entries = data.include.map((e) => includePaths(e, dirname(path), label));
    const files: ComposeFile[] = [];
    for (const p of entries.flatMap((e) => e.paths)) {
      if (p === path || including.includes(p)) throw new MigrateInputError(`${label}: include: loop through ${relative(root, p)}`);
      if (!isInside(root, p)) throw new MigrateInputError(`${label}: include: ${relative(root, p)} is outside the project folder`);
      if (--budget.files < 0) throw new MigrateInputError(`${label}: include: brings in more than ${MAX_INCLUDED_FILES} files (the limit of this tool)`);
      files.push(loadComposeFile(p, root, [...including, path], budget));
    }
    include = { files, plain: entries.every((e) => e.plain) };
  }
  const raw = data.services ?? {};
  if (!isObj(raw)) throw new MigrateInputError(`${label}: services: is not a mapping`);
  for (const [name, svc] of Object.entries(raw)) {
    if (svc !== null && !isObj(svc)) throw new MigrateInputError(`${label}: service ${name} is not a mapping`);
  }
  const services: Record<string, Obj> = {};
  const extended = new Set<string>();
  const cache = new Map<string, Obj>([[path, data]]);
  for (const name of Object.keys(raw)) {
    services[name] = resolveExtends(path, name, cache, root, []);
    if (isObj(raw[name]) && (raw[name] as Obj).extends !== undefined) extended.add(name);
  }
  return { path, name: basename(path), text, doc, data, services, extended, mergeTags, ...(include ? { include } : {}) };
}

/** The service with `extends:` applied (recursively), the way compose does: the extending service overrides. */
function resolveExtends(file: string, name: string, cache: Map<string, Obj>, root: string, seen: string[]): Obj {
  const key = `${file}#${name}`;
  const label = relative(root, file) || basename(file);
  if (seen.includes(key)) throw new MigrateInputError(`${label}: extends: loop through service ${name}`);
  const data = cache.get(file)!;
  const svc = ((data.services as Obj | undefined)?.[name] ?? {}) as Obj | null;
  if (svc === null) return {};
  if (svc.extends === undefined) return svc;
  const ext = svc.extends;
  const target = typeof ext === 'string' ? { service: ext } : isObj(ext) ? ext : null;
  if (!target || typeof target.service !== 'string') throw new MigrateInputError(`${label}: service ${name}: extends: needs a service name`);
  let from = file;
  if (target.file !== undefined) {
    if (typeof target.file !== 'string') throw new MigrateInputError(`${label}: service ${name}: extends.file is not a path`);
    from = join(dirname(file), target.file);
    if (!existsSync(from)) throw new MigrateInputError(`${label}: service ${name} extends a service in ${target.file}, which cannot be read`);
    if (!cache.has(from)) cache.set(from, loadYaml(from, relative(root, from), root).data);
  }
  const base = (cache.get(from)!.services as Obj | undefined)?.[target.service];
  if (!isObj(base)) throw new MigrateInputError(`${label}: service ${name} extends ${target.service}, which ${target.file ? `${target.file} does not define` : 'is not defined'}`);
  const parent = resolveExtends(from, target.service, cache, root, [...seen, key]);
  // compose does not inherit these from the extended service
  const inherited: Obj = { ...parent };
  for (const k of ['links', 'volumes_from', 'depends_on', 'network_mode', 'net', 'container_name']) delete inherited[k];
  const own: Obj = { ...svc };
  delete own.extends;
  return mergeService(inherited, own);
}
