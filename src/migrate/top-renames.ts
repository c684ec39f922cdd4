// Per-command project semantics one file cannot hold: old commands that define a top-level network
// or volume differently (e.g. `networks: default: name: X` in one overlay only) keep their own
// definition under a per-profile key (`default-dev`) that carries the runtime name the old command
// used, and that command's services point at it. Every other command keeps the plain key, so no
// profile silently gets another profile's network or volume. Secrets and configs cannot be renamed
// (the key is the file name inside the container): those conflicts are refused.
import { isObj, type Json, type Obj } from './load.js';
import { canonical } from './merge.js';

export const RENAMABLE = ['networks', 'volumes'] as const;
export type Renamable = (typeof RENAMABLE)[number];
/** Per kind: old key -> new key. */
export type TopRenames = Record<Renamable, Map<string, string>>;

export const noTopRenames = (): TopRenames => ({ networks: new Map(), volumes: new Map() });

/** Whether a service sits on the default network without saying so. */
const onImplicitDefault = (s: Obj) => s.networks === undefined && s.network_mode === undefined;

/** Whether any service of the command uses the default network (written or implicit). */
export function usesDefaultNetwork(services: Record<string, Obj>): boolean {
  return Object.values(services).some((s) => onImplicitDefault(s) || (Array.isArray(s.networks) ? s.networks.map(String).includes('default') : isObj(s.networks) && 'default' in s.networks));
}

/** The runtime name compose gives a top-level entry under `project` (what the renamed key must keep). */
export function runtimeName(kind: Renamable, key: string, def: Json, project: string): string {
  if (isObj(def) && typeof def.name === 'string') return def.name;
  const external = isObj(def) && (def.external === true || isObj(def.external));
  if (external) return isObj(def.external) && typeof def.external.name === 'string' ? def.external.name : key;
  return `${project}_${key}`;
}

/** The definition under a new key, with the name it had under the old one. */
export function renamedDefinition(kind: Renamable, key: string, def: Json, project: string): Obj {
  const d: Obj = isObj(def) ? { ...def } : {};
  if (typeof d.name !== 'string') {
    if (isObj(d.external) && typeof d.external.name === 'string') d.name = d.external.name;
    else if (d.external === true) d.name = key;
    else d.name = runtimeName(kind, key, def, project);
    if (isObj(d.external)) d.external = true;
  }
  return d;
}

/** Short volume syntax `src:dst[:mode]`; a named volume is a source without `/`, `.` or `~` at its start. */
function mapVolume(v: Json, map: (k: string) => string): Json {
  if (isObj(v)) {
    if ((v.type === undefined || v.type === 'volume') && typeof v.source === 'string') return { ...v, source: map(v.source) };
    return v;
  }
  const s = String(v);
  const parts = s.split(':');
  if (parts.length < 2 || /^[./~$]/.test(parts[0]) || parts[0].includes('/')) return v;
  return [map(parts[0]), ...parts.slice(1)].join(':');
}

/** The service with its network and named-volume references passed through `r` (either direction). */
export function mapTopRefs(s: Obj, r: TopRenames, explicitDefault: boolean): Obj {
  if (r.networks.size === 0 && r.volumes.size === 0) return s;
  const out: Obj = { ...s };
  const net = (n: string) => r.networks.get(n) ?? n;
  const vol = (n: string) => r.volumes.get(n) ?? n;
  if (explicitDefault && onImplicitDefault(s) && r.networks.has('default')) out.networks = { [net('default')]: null };
  else if (Array.isArray(s.networks)) out.networks = s.networks.map((n) => net(String(n)));
  else if (isObj(s.networks)) out.networks = Object.fromEntries(Object.entries(s.networks).map(([n, c]) => [net(n), c]));
  if (Array.isArray(s.volumes)) out.volumes = s.volumes.map((v) => mapVolume(v, vol));
  return out;
}

/** The top-level mappings with keys renamed. */
export function mapTopKeys(top: Record<string, Obj>, r: TopRenames): Record<string, Obj> {
  const out: Record<string, Obj> = { ...top };
  for (const kind of RENAMABLE) {
    if (!isObj(top[kind])) continue;
    out[kind] = Object.fromEntries(Object.entries(top[kind]).map(([k, v]) => [r[kind].get(k) ?? k, v]));
  }
  return out;
}

export const sameDef = (a: Json | undefined, b: Json | undefined) => JSON.stringify(canonical(a ?? null)) === JSON.stringify(canonical(b ?? null));

/** Inverse maps (new -> old). */
export const inverseOf = (r: TopRenames): TopRenames => ({
  networks: new Map([...r.networks].map(([a, b]) => [b, a])),
  volumes: new Map([...r.volumes].map(([a, b]) => [b, a])),
});
