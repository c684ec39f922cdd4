// Reads old compose files with the yaml Document API (comments and anchors kept for the writer)
// and refuses, with a reason, what the migration cannot handle: invalid YAML, template syntax,
// custom tags (`!reset`, `!override`), `include:`, `extends:` pointing at files it cannot read.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseDocument, visit, type Document } from 'yaml';
import { mergeService } from './merge.js';

/** Input the migration cannot handle: a clear message, nothing written (exit 2). */
export class MigrateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateInputError';
  }
}

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
}

const TOP_KEYS = new Set(['version', 'name', 'services', 'volumes', 'networks', 'secrets', 'configs']);

// Jinja/cookiecutter markup; Docker's own Go templates (`{{.Name}}` in log tags) start with a dot.
const JINJA = [/\{%-?\s/, /\{\{-?\s*[A-Za-z_][\w.]*\s*(\|[^}]*)?-?\}\}/];

// The yaml library's YAML 1.1 float pattern also matches a lone `.` (read as NaN, so `build: .`
// would break); PyYAML needs a digit. Same pattern with the digit required.
const FLOAT_11 = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)$/;
type Tag = { tag?: string; format?: string; test?: RegExp };
const customTags = (tags: unknown[]) =>
  (tags as Tag[]).map((t) => (t.tag === 'tag:yaml.org,2002:float' && !t.format && t.test && t.test.source.includes('\\.[0-9_]*$') ? { ...t, test: FLOAT_11 } : t)) as never[];

/** YAML 1.1, as docker-compose 1.29 (PyYAML) reads it: yes/no are booleans, `<<` merge keys work. */
export const YAML11 = { version: '1.1', customTags } as const;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function loadYaml(path: string, label: string): { text: string; doc: Document; data: Obj } {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const jinja = lines.findIndex((l) => JINJA.some((re) => re.test(l)));
  if (jinja >= 0) throw new MigrateInputError(`${label}: template syntax ({{ }} / {% %}) — render the template first, then migrate the result`);
  const doc = parseDocument(text, { ...YAML11, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) throw new MigrateInputError(`${label}: invalid YAML: ${doc.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
  visit(doc, {
    Node(_k, node) {
      const tag = (node as { tag?: string }).tag;
      if (tag && !tag.startsWith('tag:yaml.org,2002:')) throw new MigrateInputError(`${label}: custom tag ${tag} (compose merge directives such as !reset/!override are not supported by docker-compose 1.29 and cannot be carried over)`);
    },
  });
  if (doc.warnings.length) throw new MigrateInputError(`${label}: ${doc.warnings[0].message.split('\n')[0]}`);
  const data = doc.toJS({ maxAliasCount: 10000 }) as unknown;
  if (data === null || data === undefined) return { text, doc, data: {} };
  if (!isObj(data)) throw new MigrateInputError(`${label}: not a compose file (the top level is not a mapping)`);
  return { text, doc, data: data as Obj };
}

/** Loads one compose file; `root` is the project folder, for messages. */
export function loadComposeFile(path: string, root: string): ComposeFile {
  const label = relative(root, path) || basename(path);
  const { text, doc, data } = loadYaml(path, label);
  for (const k of Object.keys(data)) {
    if (k === 'include') throw new MigrateInputError(`${label}: top-level include: is not supported (docker-compose 1.29 cannot read it; list the files with -f instead)`);
    if (!TOP_KEYS.has(k) && !k.startsWith('x-')) throw new MigrateInputError(`${label}: unknown top-level key "${k}"`);
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
  return { path, name: basename(path), text, doc, data, services, extended };
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
    if (!cache.has(from)) cache.set(from, loadYaml(from, relative(root, from)).data);
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
