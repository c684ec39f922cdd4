// Compose files as typed data, and the writer that turns them into YAML with comments and
// anchors. Only keys Debian's docker-compose 1.29 accepts are modelled (no top-level `name`,
// `include`, `develop`, ...), so a file built from these types passes its schema by construction.
import { Document, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

/** Same options as src/update/merge-compose.ts, so re-stringifying a generated file changes nothing. */
export const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

/** Key of the layout hints on a map; a symbol, so they never become YAML keys. */
export const YAML_META = Symbol('yaml layout');

export interface Meta {
  /** Comment lines above the map's key. */
  comment?: string;
  /** Comment lines after the map's last key, e.g. settings that are off by default. */
  trailer?: string;
  /** Anchor (`&name`) so that maps written later can merge this one. */
  anchor?: string;
  /** A map with an anchor, written earlier, merged into this one (`<<: *name`); own keys win. */
  merge?: object;
}

interface Hints {
  [YAML_META]?: Meta;
}

export type StringMap = Hints & { [key: string]: string };

/** A bind mount in compose's long syntax. */
export interface BindMount extends Hints {
  type: 'bind';
  source: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean };
}

export interface BuildSpec extends Hints {
  context?: string;
  dockerfile?: string;
  target?: string;
  args?: StringMap;
  /** Network for RUN steps (`default`, `host`, `none`); may be a `${VAR:-default}` reference. */
  network?: string;
}

export interface Service extends Hints {
  image?: string;
  build?: BuildSpec;
  /** Run an init (tini) as PID 1: forwards signals, reaps zombies. */
  init?: boolean;
  security_opt?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  /** Short `src:dst[:ro]` strings, or the long form where the short one cannot say it. */
  volumes?: (string | BindMount)[];
  secrets?: string[];
  environment?: StringMap;
  command?: string[];
  working_dir?: string;
  restart?: 'no' | 'always' | 'on-failure' | `on-failure:${number}` | 'unless-stopped';
  devices?: string[];
  /** Device cgroup rules (`c MAJOR:* rmw`): devices created later (re-enumeration) stay usable. */
  device_cgroup_rules?: string[];
  /** tmpfs mounts, `PATH[:OPTIONS]`. */
  tmpfs?: string[];
  group_add?: string[];
  profiles?: string[];
  pull_policy?: 'always' | 'never' | 'if_not_present' | 'build';
  stdin_open?: boolean;
  tty?: boolean;
}

export interface Volume extends Hints {
  /** Explicit name: without it compose prefixes the project (folder) name. */
  name: string;
}

export interface ComposeFile {
  /** Comment at the top of the file. */
  header: string;
  /** `x-NAME` extension fields: shared settings that services merge. */
  extensions: Record<`x-${string}`, Hints & object>;
  services: Record<string, Service>;
  volumes?: Record<string, Volume>;
}

/** Lists of short words written on one line (`[build, -e, uno]`); others one item a line. */
const FLOW_KEYS = new Set(['profiles', 'command', 'group_add', 'secrets', 'security_opt', 'cap_drop', 'cap_add']);

/** `# text` for each line; an empty line stays a `#` line, so the block stays one comment. */
const commentText = (text: string) =>
  text
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n');

class Writer {
  // YAML 1.1: docker-compose v1 reads 1.1, so strings like `on`, `no` or `0777` get quoted.
  readonly doc = new Document(null, { version: '1.1' });
  private readonly anchored = new Map<object, YAMLMap>();

  node(value: unknown, key?: string): Node {
    if (Array.isArray(value)) {
      const seq = new YAMLSeq();
      for (const item of value) seq.items.push(this.node(item));
      seq.flow = key !== undefined && FLOW_KEYS.has(key);
      return seq;
    }
    if (value !== null && typeof value === 'object') return this.map(value as Hints & Record<string, unknown>);
    return this.doc.createNode(value) as Scalar;
  }

  map(obj: Hints & Record<string, unknown>, spaced = false): YAMLMap {
    const meta = obj[YAML_META] ?? {};
    const map = new YAMLMap();
    if (meta.merge) {
      const base = this.anchored.get(meta.merge);
      if (!base?.anchor) throw new Error('compose model: a merged map must be written, with an anchor, before it is used');
      map.items.push(this.doc.createPair('<<', this.doc.createAlias(base)));
    }
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const key = new Scalar(k);
      const child = (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Hints)[YAML_META] : undefined) ?? {};
      if (child.comment) key.commentBefore = commentText(child.comment);
      key.spaceBefore = spaced && map.items.length > 0;
      map.items.push(this.doc.createPair(key, this.node(v, k)));
    }
    if (meta.trailer) map.comment = commentText(meta.trailer);
    if (meta.anchor) {
      map.anchor = meta.anchor;
      this.anchored.set(obj, map);
    }
    return map;
  }
}

/** The file as a `yaml` Document: header comment, blank lines between top-level keys and services. */
export function composeDocument(file: ComposeFile): Document {
  const w = new Writer();
  const root = w.map({ ...file.extensions }, true);
  const services = w.map(file.services, true);
  for (const [key, value] of [['services', services], ['volumes', file.volumes && w.map(file.volumes)]] as const) {
    if (!value) continue;
    const k = new Scalar(key);
    k.spaceBefore = root.items.length > 0;
    root.items.push(w.doc.createPair(k, value));
  }
  w.doc.contents = root;
  w.doc.commentBefore = commentText(file.header);
  return w.doc;
}

export function writeCompose(file: ComposeFile): string {
  return composeDocument(file).toString(STRINGIFY);
}

/** YAML text of settings that are off by default, for a comment the user can uncomment. */
export function commentedOut(settings: Partial<Service>): string {
  const w = new Writer();
  w.doc.contents = w.map(settings as Hints & Record<string, unknown>);
  return w.doc.toString(STRINGIFY).trimEnd();
}
