// Structural 3-way merge of compose files: by top-level key, by service, by key inside a service
// (recursing into maps; lists and scalars compared as whole values). Line-based merging of YAML
// conflicts needlessly when a service is added next to a user's edit, and can produce valid-looking
// but wrong YAML; merging the structure cannot. The user's Document is edited in place so their
// comments and layout survive.
import { isMap, isScalar, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { hasRawBytes } from '../core/safety/read.js';
import { conflictOfWhole, merge3 } from './diff3.js';

export interface ComposeMergeResult {
  text: string;
  /** Conflict blocks written into `text` (0 = clean). */
  conflicts: number;
  /** Dotted paths of the keys both sides changed differently (structural conflicts). */
  conflictPaths: string[];
}

// No folding of long lines; `[a, b]` rather than `[ a, b ]`, as compose files are usually written.
const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;
const ABSENT = Symbol('absent');
type Value = unknown;

const keyOf = (p: Pair): string => (isScalar(p.key) ? String(p.key.value) : String(p.key));
const own = (obj: Value, key: string): Value => (isPlainObject(obj) && Object.hasOwn(obj, key) ? obj[key] : ABSENT);

function isPlainObject(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Value equality; map key order does not matter in YAML, list order does. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

function parseMap(text: string): Document | null {
  const doc = parseDocument(text);
  return doc.errors.length === 0 && isMap(doc.contents) ? doc : null;
}

/** Puts theirs' value for `key` into ours: replace, insert (next to its neighbour in theirs), or delete. */
function takeTheirs(o: YAMLMap, t: YAMLMap, key: string): void {
  const oi = o.items.findIndex((p) => keyOf(p) === key);
  const ti = t.items.findIndex((p) => keyOf(p) === key);
  if (ti < 0) {
    o.items.splice(oi, 1);
    return;
  }
  const tPair = t.items[ti];
  if (oi >= 0) {
    const oPair = o.items[oi];
    const old = oPair.value as Node | null;
    const next = tPair.value as Node | null;
    if (isScalar(old) && isScalar(next)) {
      // Same node, new value: an inline comment the user put on it stays.
      old.value = next.value;
      old.type = next.type;
    } else {
      const copy = next ? (next.clone() as Node) : null;
      if (copy && old && !copy.comment && !copy.commentBefore) Object.assign(copy, { comment: old.comment, commentBefore: old.commentBefore });
      oPair.value = copy;
    }
    return;
  }
  // New key: after the nearest preceding key of theirs that ours has, so new env services land
  // next to their siblings rather than at the end of the file.
  let at = 0;
  for (let k = ti - 1; k >= 0; k--) {
    const idx = o.items.findIndex((p) => keyOf(p) === keyOf(t.items[k]));
    if (idx >= 0) {
      at = idx + 1;
      break;
    }
  }
  o.items.splice(at, 0, tPair.clone() as Pair);
}

type Commented = { commentBefore?: string | null; comment?: string | null };

/** Comments are not values, so a template's comment change (e.g. the version in the header) is merged as text. */
function mergeComments(o: unknown, b: unknown, t: unknown): void {
  if (!o || typeof o !== 'object') return;
  const [on, bn, tn] = [o, b, t] as Commented[];
  for (const f of ['commentBefore', 'comment'] as const) {
    const merged = mergeComment(bn?.[f], on[f], tn?.[f]);
    if ((merged ?? undefined) !== (on[f] ?? undefined)) on[f] = merged;
  }
}

interface Ctx {
  docs: [Document, Document, Document];
  conflicts: string[];
}

function mergeMap(ctx: Ctx, o: YAMLMap, b: YAMLMap, t: YAMLMap, path: string[]): void {
  mergeComments(o, b, t);
  // With its document, so that aliases resolve to the anchored value.
  const [oJs, bJs, tJs] = [o, b, t].map((m, i) => m.toJS(ctx.docs[i]) as Record<string, Value>);
  const keys = new Set([...Object.keys(oJs), ...Object.keys(tJs), ...Object.keys(bJs)]);
  for (const key of keys) {
    const [ov, bv, tv] = [own(oJs, key), own(bJs, key), own(tJs, key)];
    const [on, bn, tn] = [o.get(key, true), b.get(key, true), t.get(key, true)];
    const pairs = [o, b, t].map((m) => m.items.find((p) => keyOf(p) === key));
    if (pairs.every(Boolean)) mergeComments(pairs[0]!.key, pairs[1]!.key, pairs[2]!.key);
    // Maps present on all sides: merge key by key, which also keeps comments inside them.
    if (isMap(on) && isMap(bn) && isMap(tn)) mergeMap(ctx, on, bn, tn, [...path, key]);
    else if (sameValue(ov, tv) || sameValue(tv, bv)) {
      if (on && bn && tn) mergeComments(on, bn, tn); // nothing new from theirs but maybe a comment
    } else if (sameValue(ov, bv)) takeTheirs(o, t, key);
    else ctx.conflicts.push([...path, key].join('.'));
  }
}

/** Line merge of a comment block; on a conflict the user's comment wins (comments never block). */
function mergeComment(base?: string | null, ours?: string | null, theirs?: string | null): string | null {
  // Comment strings have no final newline: add one so that appending a line is a clean change.
  const nl = (c?: string | null) => (c ? `${c}\n` : '');
  const m = merge3(nl(base), nl(ours), nl(theirs));
  return m.conflicts ? (ours ?? null) : m.text.replace(/\n$/, '') || null;
}

/**
 * Merges compose YAML. Falls back to a line-based diff3 (conflict markers included) when a file
 * does not parse as a YAML map or when both sides changed the same key differently, so the user
 * sees both versions.
 */
export function mergeCompose(base: string, ours: string, theirs: string): ComposeMergeResult {
  const textMerge = (paths: string[]): ComposeMergeResult => ({ ...merge3(base, ours, theirs), conflictPaths: paths });
  const [b, o, t] = [parseMap(base), parseMap(ours), parseMap(theirs)];
  if (!b || !o || !t) return textMerge([]);
  const conflicts: string[] = [];
  let merged: string;
  let untouched: string;
  try {
    untouched = o.toString(STRINGIFY);
    mergeComments(o, b, t); // the header, which carries the tool version
    mergeMap({ docs: [o, b, t], conflicts }, o.contents as YAMLMap, b.contents as YAMLMap, t.contents as YAMLMap, []);
    merged = o.toString(STRINGIFY);
  } catch {
    // e.g. a copied alias whose anchor the user removed
    return textMerge([]);
  }
  if (conflicts.length) return textMerge(conflicts);
  // The structure decided the values; now pick the text that keeps the most of everyone's layout:
  // the plain line merge when it is clean and means the same, else the structural change replayed
  // onto the user's exact text, else the re-stringified document.
  const expected = parseDocument(merged).toJS();
  const sameAs = (r: { text: string; conflicts: number }) => {
    const doc = r.conflicts === 0 ? parseMap(r.text) : null;
    return doc !== null && sameValue(doc.toJS(), expected);
  };
  for (const candidate of [merge3(base, ours, theirs), merge3(untouched, ours, merged)]) {
    if (sameAs(candidate)) return { text: candidate.text, conflicts: 0, conflictPaths: [] };
  }
  // The re-stringified document would write bytes that are not UTF-8 as \u escapes: the user merges.
  if (hasRawBytes(ours)) return { text: conflictOfWhole(base, ours, theirs), conflicts: 1, conflictPaths: [] };
  return { text: merged, conflicts: 0, conflictPaths: [] };
}
