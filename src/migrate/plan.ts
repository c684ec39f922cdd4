// The migration plan for one folder: the effective services of every old command, one profile
// per old command, and the one profile-based file that yields the same services per profile.
//
// Profile names (the design decision, also written into docs/MIGRATION.md):
// - the base file alone (`docker compose up`, with docker-compose.override.yml when present) -> `default`;
//   services that every old command ran, unchanged, get no `profiles:` at all, so when that is all the
//   base command ran, it stays `docker compose -f compose.yaml up`;
// - `*.runner.yml` (one runner) -> `dev`, `*.runners.yml` (several) -> `prod`, as the generator's
//   compose.runners.yaml names them;
// - a build/images file whose services only build images -> `images`;
// - `dev`/`development`/`local` -> `dev`, `prod`/`production` -> `prod`, `test`/`testing` -> `test`;
// - anything else -> the file's own suffix (`docker-compose.maintenance.yml` -> `maintenance`);
//   a name already taken falls back to the suffix, then to suffix-2, ...
// One file cannot hold two definitions of one service name. When old commands ran different
// definitions under one name (an override changed it), the definition most commands ran keeps the
// name and each other one becomes NAME-PROFILE, with a network alias NAME so other containers still
// reach it by its old host name. References (depends_on, links, network_mode, volumes_from) follow.
import { dirname } from 'node:path';
import { Document, isMap, isPair, isScalar, isSeq, Pair, parseDocument, visit, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { classify, type Group, type OldCommand, type ServiceClass } from './detect.js';
import { isObj, YAML11, type ComposeFile, type Json, type Obj } from './load.js';
import { canonical, isOverride, isReset, MERGE_TAGS, mergeService, mergeTop, normalizeService, resolveTags, sameService } from './merge.js';
import { mapTopRefs, noTopRenames, RENAMABLE, renamedDefinition, sameDef, usesDefaultNetwork, type TopRenames } from './top-renames.js';
import { CpdError, EXIT } from '../core/errors.js';

/** The migration cannot produce an equivalent file: a reason, nothing written (exit 1). */
export class MigrateRefusal extends CpdError {
  readonly exitCode = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'MigrateRefusal';
  }
}

export const TOP_KINDS = ['volumes', 'networks', 'secrets', 'configs'] as const;
export type TopKind = (typeof TOP_KINDS)[number];

export interface Effective {
  services: Record<string, Obj>;
  /** Files that defined each service, in merge order. */
  from: Record<string, ComposeFile[]>;
  top: Record<TopKind, Obj>;
  /** Services and top-level entries that came through `include:` (compose v2 imports them). */
  imported: { services: Set<string>; top: Record<TopKind, Set<string>> };
}

export interface OutService {
  name: string;
  orig: string;
  /** null: every old command ran it, unchanged (no profiles key). */
  profiles: string[] | null;
  /** true: the profiles are the ones the old files gave it, kept as they were. */
  ownProfiles: boolean;
  commands: number[];
  def: Obj;
  /** Copy this file's YAML node as it is (comments, anchors). */
  copyFrom?: ComposeFile;
  /** Files whose service settings were merged into this one (their key/value nodes are reused where unchanged). */
  sources: ComposeFile[];
  mergedFrom: string[];
  cls: ServiceClass;
  /** Comes through the new file's `include:` (as it did before): not written as a service. */
  included?: boolean;
}

export interface Plan {
  group: Group;
  newName: string;
  services: OutService[];
  top: Record<TopKind, Obj>;
  effective: Effective[];
  /** Per old command: old service name -> new name (only renamed ones). */
  renames: Map<string, string>[];
  /** Per old command: top-level networks/volumes it defined differently, old key -> per-profile key. */
  topRenames: TopRenames[];
  /** Per old command: its `-f` list ('' for plain `docker compose`), for messages. */
  oldArgs: string[];
  /** Per old command: whether its new command needs `--profile` (false when it ran only profile-less services). */
  profiled: boolean[];
  /** The file whose `include:` the new file keeps. */
  includer?: ComposeFile;
  content: string;
}

export const NEW_FILE = 'compose.yaml';
const PROFILE_OK = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function effectiveOf(cmd: OldCommand): Effective {
  const services: Record<string, Obj> = {};
  const from: Record<string, ComposeFile[]> = {};
  const top = { volumes: {}, networks: {}, secrets: {}, configs: {} } as Record<TopKind, Obj>;
  const imported = { services: new Set<string>(), top: { volumes: new Set(), networks: new Set(), secrets: new Set(), configs: new Set() } as Record<TopKind, Set<string>> };
  const add = (f: ComposeFile, viaInclude: boolean) => {
    // included files first: compose v2 imports them into the including file's project
    for (const inc of f.include?.files ?? []) add(inc, true);
    for (const [n, s] of Object.entries(f.services)) {
      // a whole service reset (gone) or overridden (replaced, not merged)
      if (isReset(s)) {
        delete services[n];
        delete from[n];
        continue;
      }
      if (isOverride(s)) {
        services[n] = resolveTags(s['!override']) as Obj;
        from[n] = [];
      } else services[n] = services[n] ? mergeService(services[n], s) : (resolveTags(s) as Obj);
      (from[n] ??= []).push(f);
      if (viaInclude) imported.services.add(n);
    }
    for (const k of TOP_KINDS) {
      if (!isObj(f.data[k])) continue;
      top[k] = mergeTop(top[k], f.data[k] as Obj);
      if (viaInclude) for (const n of Object.keys(f.data[k] as Obj)) imported.top[k].add(n);
    }
  };
  for (const f of cmd.files) add(f, false);
  return { services, from, top, imported };
}

/** Every file a group reads: its own, and those their `include:` brings in. */
export function filesRead(files: ComposeFile[]): ComposeFile[] {
  const out: ComposeFile[] = [];
  const add = (f: ComposeFile) => {
    if (out.includes(f)) return;
    out.push(f);
    f.include?.files.forEach(add);
  };
  files.forEach(add);
  return out;
}

/**
 * The one file whose `include:` the new file keeps: it must sit in the group's folder (its paths stay
 * valid) and be in every command (else the included services would join commands that never had
 * them); included services and entries must stay as included (one file cannot include and change them).
 */
function includeOf(group: Group, effs: Effective[]): ComposeFile | undefined {
  const includers = group.files.filter((f) => f.include);
  if (includers.length === 0) return undefined;
  const [f] = includers;
  const name = f.name;
  if (includers.length > 1) throw new MigrateRefusal(`more than one file uses include: (${includers.map((x) => x.name).join(', ')}); one file can keep only one include: list`);
  if (dirname(f.path) !== group.folder) throw new MigrateRefusal(`${name} uses include: but lies outside the folder of the new file; its include: paths would change meaning`);
  const missing = group.commands.find((c) => !c.files.includes(f));
  if (missing) throw new MigrateRefusal(`${name} uses include:, and the command ${missing.files.map((x) => `-f ${x.name}`).join(' ')} does not run it; the included services would join that profile`);
  const imported = [...effs[0].imported.services];
  for (const n of imported) {
    const defs = new Set(effs.map((e) => key(e.services[n] ?? {})));
    const own = effs[0].from[n].filter((x) => !filesRead(f.include!.files).includes(x));
    if (defs.size > 1 || own.length) throw new MigrateRefusal(`service ${n} comes from ${name}'s include: and ${own.map((x) => x.name).join(', ') || 'an overlay'} changes it; one file cannot both include a service and change it`);
  }
  return f;
}

function preferredProfile(cmd: OldCommand, eff: Effective): string | undefined {
  const p = cmd.purpose.toLowerCase();
  if (p === 'base') return 'default';
  if (p === 'base-only') return 'base';
  if (p === 'runner') return 'dev';
  if (p === 'runners') return 'prod';
  if (/^(build|builds|images?)$/.test(p)) {
    const all = Object.entries(eff.services);
    return all.length && all.every(([n, s]) => classify(n, s) === 'image build') ? 'images' : 'build';
  }
  if (/^(dev|development|local)$/.test(p)) return 'dev';
  if (/^(prod|production)$/.test(p)) return 'prod';
  if (/^(test|testing)$/.test(p)) return 'test';
  return undefined;
}

function assignProfiles(cmds: OldCommand[], effs: Effective[], own: Set<string>): void {
  const taken = new Set(own);
  cmds.forEach((cmd, i) => {
    let slug = cmd.purpose.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'profile';
    if (cmd.purpose === 'base') slug = 'default';
    let want = preferredProfile(cmd, effs[i]) ?? slug;
    if (taken.has(want)) want = slug;
    for (let n = 2; taken.has(want) || !PROFILE_OK.test(want); n++) want = `${slug}-${n}`;
    taken.add(want);
    cmd.profile = want;
  });
}

// --- references between services -------------------------------------------------------------

type NameMap = (n: string) => string;

/** The service with every reference to another service passed through `map`; `aliasOf` gives link aliases. */
export function mapRefs(s: Obj, map: NameMap, linkAlias: (target: string, orig: string) => string | null): Obj {
  const out: Obj = { ...s };
  if (Array.isArray(s.depends_on)) out.depends_on = s.depends_on.map((n) => map(String(n)));
  else if (isObj(s.depends_on)) out.depends_on = Object.fromEntries(Object.entries(s.depends_on).map(([n, v]) => [map(n), v]));
  if (Array.isArray(s.links)) {
    out.links = s.links.map((l) => {
      const [svc, alias] = String(l).split(':');
      const to = map(svc);
      const a = alias ?? linkAlias(to, svc);
      return a && a !== to ? `${to}:${a}` : to;
    });
  }
  if (typeof s.network_mode === 'string' && s.network_mode.startsWith('service:')) out.network_mode = `service:${map(s.network_mode.slice(8))}`;
  if (Array.isArray(s.volumes_from)) {
    out.volumes_from = s.volumes_from.map((v) => {
      const str = String(v);
      if (str.startsWith('container:')) return str;
      const pre = str.startsWith('service:') ? 'service:' : '';
      const [svc, ...mode] = str.slice(pre.length).split(':');
      return [pre + map(svc), ...mode].join(':');
    });
  }
  return out;
}

/** Adds `alias` to every network the service is on, so the renamed service keeps its host name. */
function withAlias(s: Obj, alias: string): Obj {
  if (s.network_mode !== undefined) return s;
  const nets: Obj = Array.isArray(s.networks) ? Object.fromEntries(s.networks.map((n) => [String(n), null])) : isObj(s.networks) ? { ...s.networks } : { default: null };
  for (const [n, cfg] of Object.entries(nets)) {
    const c: Obj = isObj(cfg) ? { ...cfg } : {};
    const aliases = Array.isArray(c.aliases) ? c.aliases.map(String) : [];
    if (!aliases.includes(alias)) aliases.push(alias);
    c.aliases = aliases;
    nets[n] = c;
  }
  return { ...s, networks: nets };
}

/** Undoes withAlias and the renames, to compare a new service with the old one. */
export function unrename(s: Obj, inverse: Map<string, string>, orig: string, renamed: boolean): Obj {
  let out = mapRefs(s, (n) => inverse.get(n) ?? n, () => null);
  if (Array.isArray(out.links)) out.links = out.links.map((l) => {
    const [svc, alias] = String(l).split(':');
    return alias === svc ? svc : String(l);
  });
  if (renamed && isObj(out.networks)) {
    const nets: Obj = {};
    for (const [n, cfg] of Object.entries(out.networks)) {
      if (!isObj(cfg) || !Array.isArray(cfg.aliases)) {
        nets[n] = cfg;
        continue;
      }
      const aliases = cfg.aliases.filter((a) => a !== orig);
      const c: Obj = { ...cfg };
      if (aliases.length) c.aliases = aliases;
      else delete c.aliases;
      nets[n] = Object.keys(c).length ? c : null;
    }
    out = { ...out, networks: nets };
  }
  return out;
}

// --- the plan ----------------------------------------------------------------------------------

const key = (s: Obj) => JSON.stringify(canonical(normalizeService(s)));

/** Profiles a service had in the old files. */
const ownProfiles = (s: Obj): string[] | null => (Array.isArray(s.profiles) ? s.profiles.map(String) : null);

export function planGroup(group: Group): Plan {
  const cmds = group.commands;
  const effs = cmds.map(effectiveOf);
  const own = new Set(effs.flatMap((e) => Object.values(e.services).flatMap((s) => ownProfiles(s) ?? [])));
  assignProfiles(cmds, effs, own);
  const includer = includeOf(group, effs);
  const { renames: topRenames, effs: renamedEffs } = splitTopLevel(group, effs);
  const top = mergeTopLevel(group, renamedEffs);
  if (includer) {
    // entries the include: brings in stay where they are defined
    for (const k of TOP_KINDS) for (const n of effs[0].imported.top[k]) if (top[k][n] !== undefined && effs.every((e) => e.imported.top[k].has(n))) delete top[k][n];
  }

  let renames: Map<string, string>[] = cmds.map(() => new Map());
  let outs: OutService[] = [];
  for (let round = 0; ; round++) {
    if (round > 10) throw new MigrateRefusal('service variants do not settle (renames keep cascading through depends_on/links)');
    const next: Map<string, string>[] = cmds.map(() => new Map());
    outs = [];
    const used = new Set(effs.flatMap((e) => Object.keys(e.services)));
    const names: string[] = [];
    for (const e of effs) for (const n of Object.keys(e.services)) if (!names.includes(n)) names.push(n);
    for (const orig of names) {
      const variants: { key: string; cmds: number[]; def: Obj }[] = [];
      renamedEffs.forEach((e, i) => {
        if (!e.services[orig]) return;
        const def = mapRefs(e.services[orig], (n) => renames[i].get(n) ?? n, (to, o) => (to !== o ? o : null));
        const k = key(def);
        const v = variants.find((x) => x.key === k);
        if (v) v.cmds.push(i);
        else variants.push({ key: k, cmds: [i], def });
      });
      // the definition most commands ran keeps the name; ties go to the base command, then the first
      const keeper = [...variants].sort((a, b) => b.cmds.length - a.cmds.length || Number(b.cmds.includes(0) && cmds[0].implicit) - Number(a.cmds.includes(0) && cmds[0].implicit))[0];
      for (const v of variants) {
        let name = orig;
        if (v !== keeper) {
          const base = `${orig}-${cmds[v.cmds[0]].profile}`;
          name = base;
          for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
          used.add(name);
          for (const i of v.cmds) next[i].set(orig, name);
        }
        // no profiles only where `docker compose up` (the base command) means something and every command ran it
        const all = v.cmds.length === cmds.length && cmds[0].implicit;
        const kept = ownProfiles(v.def);
        const first = v.cmds[0];
        const from = effs[first].from[orig];
        const unchanged = key(v.def) === key(effs[first].services[orig]) && JSON.stringify(v.def) === JSON.stringify(effs[first].services[orig]);
        const included = includer !== undefined && effs[0].imported.services.has(orig);
        outs.push({
          name,
          orig,
          ...(included ? { included } : {}),
          profiles: included ? null : kept ?? (all ? null : v.cmds.map((i) => cmds[i].profile)),
          ownProfiles: kept !== null,
          commands: v.cmds,
          def: name === orig ? v.def : withAlias(v.def, orig),
          copyFrom: name === orig && from.length === 1 && !from[0].extended.has(orig) && unchanged ? from[0] : undefined,
          sources: from.filter((f) => !f.extended.has(orig)),
          mergedFrom: from.map((f) => f.name),
          cls: classify(orig, v.def),
        });
      }
    }
    if (JSON.stringify(next.map((m) => [...m])) === JSON.stringify(renames.map((m) => [...m]))) break;
    renames = next;
  }

  checkOwnProfiles(outs, effs, cmds);
  const plan: Plan = {
    group,
    newName: NEW_FILE,
    services: outs,
    top,
    effective: effs,
    renames,
    topRenames,
    oldArgs: cmds.map((c) => (c.implicit && c.files.length <= 2 ? '' : c.files.map((f) => `-f ${f.name}`).join(' '))),
    profiled: cmds.map((c) => outs.some((o) => o.profiles?.includes(c.profile))),
    ...(includer ? { includer } : {}),
    content: '',
  };
  plan.content = writeFile(plan);
  return plan;
}

/**
 * Profiles the old files already had are kept as they are, which is only equivalent when such a
 * service has one definition everywhere and every old command that knows a profile had the same
 * services in it (else `--profile NEW --profile OLD` would start services of other commands).
 */
function checkOwnProfiles(outs: OutService[], effs: Effective[], cmds: OldCommand[]): void {
  const owned = outs.filter((o) => o.ownProfiles);
  for (const o of owned) {
    if (outs.some((x) => x !== o && x.orig === o.orig)) throw new MigrateRefusal(`service ${o.orig} already has profiles (${o.profiles!.join(', ')}) and the old commands define it differently; one file cannot keep both under that profile`);
  }
  for (const p of new Set(owned.flatMap((o) => o.profiles!))) {
    const all = owned.filter((o) => o.profiles!.includes(p)).map((o) => o.orig);
    effs.forEach((e, i) => {
      const mine = Object.entries(e.services).filter(([, s]) => ownProfiles(s)?.includes(p)).map(([n]) => n);
      if (mine.length && mine.length !== all.length) throw new MigrateRefusal(`profile ${p} of the old files holds ${all.filter((n) => !mine.includes(n)).join(', ')} only outside ${cmds[i].files.map((f) => f.name).join(' + ')}; kept as it is, --profile ${p} would start more than that command did`);
    });
  }
}

/** A definition as compose uses it: `default:`, `default: {}` and no entry at all are one network. */
const defOf = (v: Json | undefined): Json => (v === undefined || v === null || (isObj(v) && Object.keys(v).length === 0) ? null : v);

/**
 * Networks and volumes that old commands define differently (the default network included: a command
 * that never defines it still uses compose's own) keep, per command, their own definition: the one most
 * commands use keeps the key, each other one moves to KEY-PROFILE with the runtime name it had.
 */
function splitTopLevel(group: Group, effs: Effective[]): { renames: TopRenames[]; effs: Effective[] } {
  const cmds = group.commands;
  const renames = cmds.map(noTopRenames);
  for (const kind of RENAMABLE) {
    const keys = new Set(effs.flatMap((e) => Object.keys(e.top[kind])));
    const taken = new Set(keys);
    for (const key of keys) {
      const variants: { def: Json; cmds: number[] }[] = [];
      effs.forEach((e, i) => {
        const defined = key in e.top[kind];
        if (!defined && !(kind === 'networks' && key === 'default' && usesDefaultNetwork(e.services))) return;
        const def = defOf(e.top[kind][key]);
        const v = variants.find((x) => sameDef(x.def, def));
        if (v) v.cmds.push(i);
        else variants.push({ def, cmds: [i] });
      });
      if (variants.length < 2) continue;
      const keeper = [...variants].sort((a, b) => b.cmds.length - a.cmds.length || a.cmds[0] - b.cmds[0])[0];
      for (const v of variants) {
        if (v === keeper) continue;
        let name = `${key}-${cmds[v.cmds[0]].profile}`;
        for (let n = 2; taken.has(name); n++) name = `${key}-${cmds[v.cmds[0]].profile}-${n}`;
        taken.add(name);
        for (const i of v.cmds) renames[i][kind].set(key, name);
      }
    }
  }
  const out = effs.map((e, i): Effective => {
    const r = renames[i];
    if (r.networks.size === 0 && r.volumes.size === 0) return e;
    const services = Object.fromEntries(Object.entries(e.services).map(([n, s]) => [n, mapTopRefs(s, r, true)]));
    const top = { ...e.top };
    for (const kind of RENAMABLE) {
      top[kind] = { ...e.top[kind] };
      for (const [from, to] of r[kind]) {
        top[kind][to] = renamedDefinition(kind, from, top[kind][from] ?? null, cmds[i].projectName ?? group.projectName);
        delete top[kind][from];
      }
    }
    return { services, from: e.from, top, imported: e.imported };
  });
  return { renames, effs: out };
}

/** Top-level volumes/networks/secrets/configs of all old commands; one name with two definitions is refused. */
function mergeTopLevel(group: Group, effs: Effective[]): Record<TopKind, Obj> {
  const out = { volumes: {}, networks: {}, secrets: {}, configs: {} } as Record<TopKind, Obj>;
  const seenIn: Record<string, number> = {};
  effs.forEach((e, i) => {
    for (const k of TOP_KINDS) {
      for (const [n, v] of Object.entries(e.top[k])) {
        const id = `${k}.${n}`;
        if (id in seenIn && JSON.stringify(canonical(out[k][n])) !== JSON.stringify(canonical(v))) {
          const a = group.commands[seenIn[id]].files.map((f) => f.name).join(' + ');
          const b = group.commands[i].files.map((f) => f.name).join(' + ');
          throw new MigrateRefusal(`top-level ${id} is defined differently by ${a} and by ${b}; one file can hold only one definition`);
        }
        out[k][n] = v;
        seenIn[id] ??= i;
      }
    }
  });
  return out;
}

// --- writing -----------------------------------------------------------------------------------

// empty values (`pio-cache:`) stay empty instead of becoming `null`
const FMT = { lineWidth: 0, flowCollectionPadding: false, nullStr: '' } as const;

function pairIn(map: unknown, name: string): { pair: Pair; first: boolean } | undefined {
  if (!isMap(map)) return undefined;
  const i = map.items.findIndex((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === name);
  return i < 0 ? undefined : { pair: map.items[i] as Pair, first: i === 0 };
}

/** The service as written, profiles included: what the new file must yield when read back. */
const expected = (o: OutService): Obj => (o.profiles ? { ...o.def, profiles: o.profiles } : o.def);

function writeFile(plan: Plan): string {
  const copy = new Set(plan.services.filter((o) => !o.included && (o.copyFrom || o.sources.length)));
  for (let attempt = 0; attempt < 3; attempt++) {
    const text = buildDoc(plan, copy);
    // read it back: an anchor that resolves differently, or not at all, falls back to plain values
    let back: Obj | undefined;
    try {
      back = text === undefined ? undefined : (parseDocument(text, YAML11).toJS({ maxAliasCount: 10000 }) as Obj);
    } catch {
      back = undefined;
    }
    const bad = [...copy].filter((o) => !back || !isObj(back.services) || !isObj((back.services as Obj)[o.name]) || !sameService((back.services as Obj)[o.name] as Obj, expected(o)) || !sameProfiles((back.services as Obj)[o.name] as Obj, o));
    if (bad.length === 0 && text !== undefined) return text;
    for (const o of bad.length ? bad : [...copy]) copy.delete(o);
  }
  return buildDoc(plan, new Set())!;
}

const sameProfiles = (s: Obj, o: OutService) => JSON.stringify(s.profiles ?? null) === JSON.stringify(o.profiles);

const FLOW_KEYS = new Set(['command', 'entrypoint', 'test', 'profiles']);

/** A node for merged data; short command/entrypoint/test lists in flow style, as people write them. */
function plainNode(doc: Document, v: Json): Node {
  const node = doc.createNode(v) as Node;
  visit(node, {
    Pair(_k, pair) {
      if (isScalar(pair.key) && FLOW_KEYS.has(String(pair.key.value)) && isSeq(pair.value) && pair.value.items.every(isScalar)) {
        pair.value.flow = true;
        for (const item of pair.value.items) if (isScalar(item) && typeof item.value === 'string') item.type = 'QUOTE_DOUBLE';
      }
    },
  });
  return node;
}

/** JSON of a node's value; nodes with aliases (no document context here) never match. */
function jsonOf(n: Node | null): string | undefined {
  try {
    return JSON.stringify(n === null ? null : n.toJSON());
  } catch {
    return undefined;
  }
}

/**
 * A merged value built from the old files' own nodes wherever one of them had that value (comments,
 * quotes and flow style come along): whole values first, then map entries and list items; only what
 * the merge changed is new.
 */
function assembled(doc: Document, v: Json, candidates: Node[], key = ''): Node {
  const want = JSON.stringify(v);
  const same = candidates.find((c) => jsonOf(c) === want);
  if (same) return same.clone() as Node;
  if (Array.isArray(v)) {
    const items = candidates.filter(isSeq).flatMap((c) => c.items as Node[]);
    const seq = (plainNode(doc, { [key]: [] }) as YAMLMap).items[0].value as YAMLSeq;
    for (const item of v) seq.items.push(assembled(doc, item, items));
    if (v.length && seq.items.every((n) => isScalar(n) && n.type === 'PLAIN') && FLOW_KEYS.has(key)) return (plainNode(doc, { [key]: v }) as YAMLMap).items[0].value as Node;
    return seq;
  }
  if (isObj(v)) {
    const map = new YAMLMap();
    for (const [k, x] of Object.entries(v)) {
      const pairs = candidates.filter(isMap).map((c) => pairIn(c, k)?.pair).filter((p): p is Pair => p !== undefined);
      const whole = pairs.find((p) => jsonOf(p.value as Node | null) === JSON.stringify(x));
      map.items.push(whole ? (whole.clone() as Pair) : new Pair(doc.createNode(k), assembled(doc, x, pairs.map((p) => p.value as Node).filter(Boolean), k)));
    }
    return map;
  }
  return (plainNode(doc, { [key || 'v']: v }) as YAMLMap).items[0].value as Node;
}

function buildDoc(plan: Plan, copy: Set<OutService>): string | undefined {
  const { group } = plan;
  // YAML 1.1 like docker-compose 1.29's reader: strings such as yes/no/on/1:20 get quoted
  const doc = new Document({}, YAML11);
  const files = group.files.map((f) => f.name).join(', ');
  const profiles = [...new Set(plan.services.filter((o) => !o.ownProfiles).flatMap((o) => o.profiles ?? []))].join(', ');
  const kept = [...new Set(plan.services.filter((o) => o.ownProfiles).flatMap((o) => o.profiles ?? []))].join(', ');
  doc.commentBefore = [
    ` Migrated by create-pio-docker migrate from ${files}.`,
    profiles ? ` Profiles: ${profiles} (one per old command; see docs/MIGRATION.md).` : ' No profiles needed: every old command ran the same services (see docs/MIGRATION.md).',
    ...(kept ? [` Kept as the old files had them: ${kept}.`] : []),
    ` Compose project name: ${group.projectName} (keeps the existing volumes).`,
  ].join('\n');
  const root = doc.contents as YAMLMap;
  const named = group.files.map((f) => f.data).find((d) => typeof d.name === 'string');
  if (named) doc.set('name', named.name);
  // extension fields first: copied services may point at their anchors
  const seenX = new Set<string>();
  for (const f of group.files) {
    for (const [k, v] of Object.entries(f.data)) {
      if (!k.startsWith('x-') || seenX.has(k)) continue;
      seenX.add(k);
      const src = pairIn(f.doc.contents, k);
      root.items.push(src ? (src.pair.clone() as Pair) : new Pair(doc.createNode(k), doc.createNode(v)));
    }
  }
  if (plan.includer) {
    const src = pairIn(plan.includer.doc.contents, 'include');
    if (src) root.items.push(src.pair.clone() as Pair);
  }
  const services = new YAMLMap();
  doc.set('services', services);
  for (const o of plan.services) {
    if (o.included) continue;
    let pair: Pair<Node, Node>;
    const src = copy.has(o) && o.copyFrom ? pairIn(o.copyFrom.doc.get('services', true), o.orig) : undefined;
    if (src && isMap(src.pair.value)) {
      pair = src.pair.clone() as Pair<Node, Node>;
      const before = src.first ? (o.copyFrom!.doc.get('services', true) as YAMLMap).commentBefore : undefined;
      if (before && isScalar(pair.key)) pair.key.commentBefore = [before, pair.key.commentBefore].filter(Boolean).join('\n');
    } else {
      const k = doc.createNode(o.name) as Node;
      const note =
        o.name !== o.orig
          ? ` ${o.orig} as profile ${o.profiles?.join(', ')} runs it (${o.mergedFrom.join(' + ')}); network alias ${o.orig} keeps its host name`
          : o.mergedFrom.length > 1
            ? ` merged from ${o.mergedFrom.join(' + ')} (compose override semantics)`
            : '';
      if (note) k.commentBefore = note;
      const nodes = o.sources.map((f) => f.doc.getIn(['services', o.orig], true) as Node).filter(Boolean);
      pair = new Pair(k, copy.has(o) ? assembled(doc, o.def, nodes) : plainNode(doc, o.def));
    }
    if (o.profiles && !o.ownProfiles) (pair.value as YAMLMap).set('profiles', doc.createNode(o.profiles, { flow: true }));
    services.items.push(pair);
  }
  for (const k of TOP_KINDS) {
    const entries = Object.entries(plan.top[k]);
    if (!entries.length) continue;
    const map = new YAMLMap();
    for (const [n, v] of entries) {
      const definers = group.files.filter((f) => isObj(f.data[k]) && (f.data[k] as Obj)[n] !== undefined);
      const src = definers.length === 1 ? pairIn(definers[0].doc.get(k, true), n) : undefined;
      map.items.push(src && JSON.stringify((definers[0].data[k] as Obj)[n]) === JSON.stringify(v) ? (src.pair.clone() as Pair) : new Pair(doc.createNode(n), v === null ? null : plainNode(doc, v)));
    }
    doc.set(k, map);
  }
  // compose v2's merge tags did their work in the merge; in one file they would mean nothing (or break 1.29)
  visit(doc, {
    Node(_k, node) {
      if (MERGE_TAGS.includes((node as { tag?: string }).tag ?? '')) (node as { tag?: string }).tag = undefined;
    },
  });
  try {
    return doc.toString(FMT);
  } catch {
    return undefined;
  }
}
