// Compose's own merge semantics for `-f base -f override` (as docker-compose 1.29 implements them in
// merge_service_dicts): mappings merge key by key, volumes/devices merge by container path,
// ports/expose/cap_add/... are unions, dns/env_file/tmpfs are lists or strings, and everything
// else (command, entrypoint, image, ...) is replaced by the override.
// Compose v2's merge tags arrive as markers (load.ts): `{"!reset": null}` removes what the files
// before set, `{"!override": X}` replaces it with X instead of merging.
import type { Json, Obj } from './load.js';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compose v2's merge tags, as load.ts marks them. */
export const MERGE_TAGS = ['!reset', '!override'];
export const isReset = (v: Json | undefined): boolean => isObj(v) && Object.keys(v).length === 1 && '!reset' in v;
export const isOverride = (v: Json | undefined): v is { '!override': Json } => isObj(v) && Object.keys(v).length === 1 && '!override' in v;

/** A value with its markers applied to nothing before it: `!reset` entries dropped, `!override` unwrapped. */
export function resolveTags(v: Json): Json {
  if (isOverride(v)) return resolveTags(v['!override']);
  if (Array.isArray(v)) return v.filter((x) => !isReset(x)).map(resolveTags);
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (!isReset(x)) out[k] = resolveTags(x);
    return out;
  }
  return v;
}

/** Whether a value holds a marker anywhere. */
const hasTags = (v: Json | undefined): boolean => isReset(v) || isOverride(v) || (Array.isArray(v) ? v.some(hasTags) : isObj(v) && Object.values(v).some(hasTags));

/** `K=V` lists and mappings -> mapping; `K` alone maps to null. */
export function toMap(v: Json | undefined, sep = '='): Obj {
  if (v === undefined || v === null) return {};
  if (isObj(v)) return v;
  const out: Obj = {};
  for (const item of Array.isArray(v) ? v : [v]) {
    const s = String(item);
    const i = s.indexOf(sep);
    if (i < 0) out[s] = null;
    else out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

const list = (v: Json | undefined): Json[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const same = (a: Json, b: Json) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Container path of a volume or device entry: the merge key compose uses. */
export function volumeTarget(v: Json): string {
  if (isObj(v)) return String(v.target ?? v.source ?? JSON.stringify(v));
  const parts = String(v).split(':');
  // `src:dst[:mode]`, `dst`; Windows drive letters are rare here and not special-cased
  return parts.length === 1 ? parts[0] : parts[1];
}

function mergeKeyed(base: Json[], over: Json[], key: (v: Json) => string): Json[] {
  const out = new Map<string, Json>();
  for (const v of [...base, ...over]) out.set(key(v), v);
  return [...out.values()];
}

function union(base: Json[], over: Json[]): Json[] {
  const out: Json[] = [...base];
  for (const v of over) if (!out.some((x) => same(x, v))) out.push(v);
  return out;
}

function deepMerge(base: Json | undefined, over: Json | undefined): Json {
  if (over === undefined) return base ?? null;
  if (isObj(base) && isObj(over)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over;
}

const dependsMap = (v: Json | undefined): Obj => (Array.isArray(v) ? Object.fromEntries(v.map((s) => [String(s), { condition: 'service_started' }])) : isObj(v) ? v : {});
const networksMap = (v: Json | undefined): Obj => (Array.isArray(v) ? Object.fromEntries(v.map((s) => [String(s), null])) : isObj(v) ? v : {});
const buildMap = (v: Json | undefined): Obj => (typeof v === 'string' ? { context: v } : isObj(v) ? v : {});
const linkAlias = (v: Json) => {
  const s = String(v);
  return s.includes(':') ? s.split(':')[1] : s;
};
const secretKey = (v: Json) => (isObj(v) ? String(v.target ?? v.source) : String(v));

/** One service of `-f base -f over`: the override merged into the base. */
export function mergeService(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    if (isReset(v)) {
      delete out[k];
      continue;
    }
    if (isOverride(v)) {
      out[k] = resolveTags(v['!override']);
      continue;
    }
    if (hasTags(v) && (b === undefined || b === null || !isObj(v))) {
      out[k] = resolveTags(v);
      continue;
    }
    if (hasTags(v)) {
      // a marker inside a mapping (`environment: {A: !reset}`): that entry is reset or replaced
      const m: Obj = { ...(isObj(b) ? b : toMap(b)) };
      for (const [ek, ev] of Object.entries(v as Obj)) {
        if (isReset(ev)) delete m[ek];
        else m[ek] = isOverride(ev) ? resolveTags(ev['!override']) : isObj(m[ek]) && isObj(ev) ? (mergeService({ x: m[ek] }, { x: ev }).x as Json) : resolveTags(ev);
      }
      out[k] = m;
      continue;
    }
    if (b === undefined || b === null) {
      out[k] = v;
      continue;
    }
    switch (k) {
      case 'environment':
      case 'labels':
      case 'sysctls':
      case 'ulimits':
      case 'storage_opt':
        out[k] = { ...toMap(b), ...toMap(v) };
        break;
      case 'extra_hosts':
        out[k] = { ...toMap(b, ':'), ...toMap(v, ':') };
        break;
      case 'depends_on':
        out[k] = { ...dependsMap(b), ...dependsMap(v) };
        break;
      case 'networks': {
        const bm = networksMap(b);
        const om = networksMap(v);
        const m: Obj = { ...bm };
        for (const [n, cfg] of Object.entries(om)) m[n] = isObj(bm[n]) && isObj(cfg) ? { ...(bm[n] as Obj), ...cfg } : cfg ?? bm[n] ?? null;
        out[k] = m;
        break;
      }
      case 'volumes':
      case 'devices':
        out[k] = mergeKeyed(list(b), list(v), volumeTarget);
        break;
      case 'links':
        out[k] = mergeKeyed(list(b), list(v), linkAlias);
        break;
      case 'secrets':
      case 'configs':
        out[k] = mergeKeyed(list(b), list(v), secretKey);
        break;
      case 'ports':
      case 'expose':
      case 'cap_add':
      case 'cap_drop':
      case 'security_opt':
      case 'external_links':
      case 'volumes_from':
      case 'device_cgroup_rules':
      case 'profiles':
      case 'dns':
      case 'dns_search':
      case 'env_file':
      case 'tmpfs':
        out[k] = union(list(b), list(v));
        break;
      case 'build': {
        const bb = buildMap(b);
        const ob = buildMap(v);
        const m: Obj = { ...bb, ...ob };
        if (bb.args !== undefined || ob.args !== undefined) m.args = { ...toMap(bb.args), ...toMap(ob.args) };
        out[k] = m;
        break;
      }
      case 'logging':
        out[k] = isObj(b) && isObj(v) && (v.driver === undefined || v.driver === b.driver) ? { ...b, ...v, options: { ...(isObj(b.options) ? b.options : {}), ...(isObj(v.options) ? v.options : {}) } } : v;
        break;
      case 'healthcheck':
      case 'deploy':
      case 'blkio_config':
        out[k] = deepMerge(b, v);
        break;
      default:
        // command, entrypoint, image, restart, ...: replaced
        out[k] = v;
    }
  }
  return out;
}

/** Top-level volumes/networks/secrets/configs: mappings merge per entry. */
export function mergeTop(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (isReset(v)) delete out[k];
    else if (isOverride(v)) out[k] = resolveTags(v['!override']);
    else out[k] = isObj(base[k]) && isObj(v) ? (resolveTags({ ...(base[k] as Obj), ...v }) as Obj) : v === null ? (base[k] ?? null) : resolveTags(v);
  }
  return out;
}

// Lists whose order means something; every other list is compared as a set.
const ORDERED = new Set(['command', 'entrypoint', 'test', 'env_file']);

/** A service in one canonical form, so that two spellings of one setting compare equal. */
export function normalizeService(s: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === null && k !== 'command' && k !== 'entrypoint') continue;
    switch (k) {
      case 'environment':
      case 'labels':
      case 'sysctls':
        out[k] = strMap(toMap(v));
        break;
      case 'extra_hosts':
        out[k] = strMap(toMap(v, ':'));
        break;
      case 'depends_on':
        out[k] = dependsMap(v);
        break;
      case 'networks':
        // `[front]`, `{front: null}` and `{front: {}}` are one setting
        out[k] = Object.fromEntries(Object.entries(networksMap(v)).map(([n, c]) => [n, isObj(c) && Object.keys(c).length === 0 ? null : c]));
        break;
      case 'build': {
        const b = { ...buildMap(v) };
        if (b.args !== undefined) b.args = strMap(toMap(b.args));
        out[k] = b;
        break;
      }
      case 'ports':
      case 'expose':
        out[k] = list(v).map((p) => (isObj(p) ? p : String(p)));
        break;
      case 'command':
      case 'entrypoint':
        out[k] = typeof v === 'string' ? v.trim() : v;
        break;
      default:
        out[k] = v;
    }
  }
  // a service without networks is on the default network
  if (out.networks === undefined && out.network_mode === undefined) out.networks = { default: null };
  return out;
}

function strMap(m: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null ? null : typeof v === 'object' ? v : String(v);
  return out;
}

/** Sorted keys, set-like lists sorted: JSON of this compares settings, not spelling order. */
export function canonical(v: Json, key = ''): Json {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x));
    return ORDERED.has(key) ? items : items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  }
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k], k);
    return out;
  }
  return v;
}

export const sameService = (a: Obj, b: Obj): boolean => JSON.stringify(canonical(normalizeService(a))) === JSON.stringify(canonical(normalizeService(b)));

/** Names the first settings in which two services differ (for refusal messages). */
export function describeDifference(a: Obj, b: Obj): string {
  const na = canonical(normalizeService(a)) as Obj;
  const nb = canonical(normalizeService(b)) as Obj;
  const keys = [...new Set([...Object.keys(na), ...Object.keys(nb)])].sort();
  const diffs = keys.filter((k) => JSON.stringify(na[k]) !== JSON.stringify(nb[k]));
  return diffs
    .slice(0, 3)
    .map((k) => `${k}: ${short(na[k])} -> ${short(nb[k])}`)
    .join('; ');
}

const short = (v: Json | undefined) => {
  const s = v === undefined ? '(unset)' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
