// Line diff (Myers), 3-way merge (diff3) and unified diff, for `update`. No dependency: the
// files we merge are small, and owning the code keeps the conflict format under our control.

/** Lines with their terminator kept, so "no newline at end of file" is a difference like any other. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * What one diff may cost (diagonals tried plus lines compared) before it gives up: a generated file
 * and a user's edits of it need thousands; a file at a generated path that shares little with it
 * (up to the 4 MiB the reader takes: two million lines) would need 10^12 steps and the trace
 * memory with them. 10^7 is well under a second and ~40 MB.
 */
export const MAX_DIFF_WORK = 10_000_000;

/**
 * Longest common subsequence of a and b (Myers' O(ND) greedy diff, after the common prefix and
 * suffix), as a map from each index of a to its matched index in b, or -1. Null when it would take
 * more than `budget` steps (the texts are too different to merge line by line).
 */
export function matchLines(a: string[], b: string[], budget = MAX_DIFF_WORK): Int32Array | null {
  const match = new Int32Array(a.length).fill(-1);
  // Compare integers rather than strings in the hot loop.
  const ids = new Map<string, number>();
  const id = (s: string) => ids.get(s) ?? (ids.set(s, ids.size), ids.size - 1);
  const A0 = a.map(id);
  const B0 = b.map(id);
  let pre = 0;
  while (pre < A0.length && pre < B0.length && A0[pre] === B0[pre]) match[pre] = pre++;
  let suf = 0;
  while (suf < A0.length - pre && suf < B0.length - pre && A0[A0.length - 1 - suf] === B0[B0.length - 1 - suf]) {
    match[A0.length - 1 - suf] = B0.length - 1 - suf;
    suf++;
  }
  const A = A0.slice(pre, A0.length - suf);
  const B = B0.slice(pre, B0.length - suf);
  const n = A.length;
  const m = B.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: v before step d, only the diagonals -d-1..d+1 that the walk back reads (O(D^2) memory, not O(D(N+M))).
  const trace: Int32Array[] = [];
  let work = 0;
  let done = max === 0;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      const from = x;
      while (x < n && y < m && A[x] === B[y]) x++, y++;
      work += 1 + x - from;
      v[off + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (work > budget) return null;
  }
  // Walk the trace back from the end, recording the diagonal (matching) moves.
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const t = trace[d];
    const at = (k: number) => t[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) match[pre + --x] = pre + --y;
    x = prevX;
    y = prevY;
  }
  return match;
}

export const MARKERS = { ours: '<<<<<<< ours', base: '||||||| base', sep: '=======', theirs: '>>>>>>> generated' } as const;

export interface Merge3Result {
  text: string;
  conflicts: number;
}

const same = (x: string[], y: string[]) => x.length === y.length && x.every((l, i) => l === y[i]);

/** `side` as lines inserted before and/or after an unchanged `base` block, or null. */
function around(base: string[], side: string[]): { pre: string[]; post: string[] } | null {
  if (base.length === 0 || side.length <= base.length) return null;
  if (same(side.slice(0, base.length), base)) return { pre: [], post: side.slice(base.length) };
  if (same(side.slice(-base.length), base)) return { pre: side.slice(0, -base.length), post: [] };
  return null;
}

/**
 * Plain diff3 (and git) calls a change next to the other side's insertion a conflict. In generated
 * config that is the common case (a user's edit on the last line of a block, the template adding a
 * line after it), so when one side only inserted lines before or after the base block, apply both.
 * Insertions by both sides on the same end of the block still conflict.
 */
function mergeAdjacent(bs: string[], os: string[], ts: string[]): string[] | null {
  const o = around(bs, os);
  const t = around(bs, ts);
  let merged: string[] | null = null;
  if (o && t) {
    if ((o.pre.length && t.pre.length) || (o.post.length && t.post.length)) return null;
    merged = [...o.pre, ...t.pre, ...bs, ...o.post, ...t.post];
  } else if (t) merged = [...t.pre, ...os, ...t.post];
  else if (o) merged = [...o.pre, ...ts, ...o.post];
  // A line without its newline can only be last: joining would glue two lines together.
  return merged && merged.slice(0, -1).every((l) => l.endsWith('\n')) ? merged : null;
}

/** A side's last line may lack its newline; a marker must still start a line. */
const block = (lines: string[]) => lines.map((l, i) => (i === lines.length - 1 && !l.endsWith('\n') ? `${l}\n` : l));

function wholeConflict(os: string[], bs: string[], ts: string[]): string {
  return [`${MARKERS.ours}\n`, ...block(os), `${MARKERS.base}\n`, ...block(bs), `${MARKERS.sep}\n`, ...block(ts), `${MARKERS.theirs}\n`].join('');
}

/** The three texts as one conflict block: for a merge left to the user, every byte of each kept. */
export const conflictOfWhole = (base: string, ours: string, theirs: string) => wholeConflict(splitLines(ours), splitLines(base), splitLines(theirs));

/**
 * Three-way merge of line-based text. A region changed on one side only takes that side; both
 * sides making the same change is fine; different changes to the same region (including two
 * different insertions at the same place) become a conflict block with diff3-style markers.
 * One departure from plain diff3: see mergeAdjacent.
 */
export function merge3(base: string, ours: string, theirs: string): Merge3Result {
  const b = splitLines(base);
  const o = splitLines(ours);
  const t = splitLines(theirs);
  const mo = matchLines(b, o);
  const mt = matchLines(b, t);
  const out: string[] = [];
  let conflicts = 0;
  // Too different to match line by line: the whole file is one conflict (every byte of both kept).
  if (mo === null || mt === null) return { text: wholeConflict(o, b, t), conflicts: 1 };

  const emitUnstable = (bs: string[], os: string[], ts: string[]) => {
    const adjacent = mergeAdjacent(bs, os, ts);
    if (same(os, bs)) out.push(...ts);
    else if (same(ts, bs) || same(os, ts)) out.push(...os);
    else if (adjacent) out.push(...adjacent);
    else {
      conflicts++;
      out.push(wholeConflict(os, bs, ts));
    }
  };

  let lb = 0;
  let lo = 0;
  let lt = 0;
  while (lb < b.length || lo < o.length || lt < t.length) {
    // Stable run: base lines matched, in step, on both sides.
    let i = 0;
    while (lb + i < b.length && mo[lb + i] === lo + i && mt[lb + i] === lt + i) i++;
    if (i > 0) {
      out.push(...b.slice(lb, lb + i));
      lb += i;
      lo += i;
      lt += i;
      continue;
    }
    // Unstable chunk: up to the next base line that both sides kept.
    let j = lb;
    while (j < b.length && (mo[j] < 0 || mt[j] < 0)) j++;
    const oEnd = j < b.length ? mo[j] : o.length;
    const tEnd = j < b.length ? mt[j] : t.length;
    emitUnstable(b.slice(lb, j), o.slice(lo, oEnd), t.slice(lt, tEnd));
    lb = j;
    lo = oEnd;
    lt = tEnd;
  }
  return { text: out.join(''), conflicts };
}

/** Lines that a previous merge left unresolved (either end: a half-resolved block counts). */
export function hasConflictMarkers(text: string): boolean {
  return /^(<<<<<<<|>>>>>>>) /m.test(text);
}

/** A unified diff (3 lines of context), or '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, oldLabel: string, newLabel: string, context = 3): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  // Too different to match: every old line removed, every new one added.
  const m = matchLines(a, b) ?? new Int32Array(a.length).fill(-1);
  // Edit script as ops: ' ' keep, '-' delete, '+' insert, with line numbers of both sides.
  type Op = { kind: ' ' | '-' | '+'; line: string; ai: number; bi: number };
  const ops: Op[] = [];
  let ai = 0;
  let bi = 0;
  while (ai < a.length || bi < b.length) {
    if (ai < a.length && m[ai] === bi) ops.push({ kind: ' ', line: a[ai], ai: ai++, bi: bi++ });
    else if (ai < a.length && m[ai] < 0) ops.push({ kind: '-', line: a[ai], ai: ai++, bi });
    else ops.push({ kind: '+', line: b[bi], ai, bi: bi++ });
  }
  const out = [`--- ${oldLabel}\n`, `+++ ${newLabel}\n`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      k++;
      continue;
    }
    // Grow a hunk while changes are within 2*context lines of each other.
    const start = Math.max(0, k - context);
    let end = k;
    let last = k;
    while (end < ops.length && end - last <= 2 * context) {
      if (ops[end].kind !== ' ') last = end;
      end++;
    }
    end = Math.min(ops.length, last + context + 1);
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((op) => op.kind !== '+').length;
    const bLen = hunk.filter((op) => op.kind !== '-').length;
    const aStart = aLen ? hunk[0].ai + 1 : hunk[0].ai;
    const bStart = bLen ? hunk[0].bi + 1 : hunk[0].bi;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@\n`);
    for (const op of hunk) {
      out.push(op.kind + op.line);
      if (!op.line.endsWith('\n')) out.push('\n\\ No newline at end of file\n');
    }
    k = end;
  }
  return out.join('');
}
