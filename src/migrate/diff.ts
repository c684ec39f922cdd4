// A small unified diff (LCS on lines) for --dry-run; compose files are short.
interface Op {
  t: ' ' | '-' | '+';
  s: string;
  /** 1-based line numbers in a and b where this op sits. */
  a: number;
  b: number;
}

export function unifiedDiff(a: string, b: string, aName: string, bName: string, context = 3): string {
  const x = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const y = b === '' ? [] : b.replace(/\n$/, '').split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) ops.push({ t: ' ', s: x[i++], a: i, b: ++j });
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ t: '-', s: x[i++], a: i, b: j + 1 });
    else ops.push({ t: '+', s: y[j++], a: i + 1, b: j });
  }
  const changes = ops.map((o, k) => (o.t === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changes.length === 0) return '';
  const out = [`--- ${aName}`, `+++ ${bName}`];
  let h = 0;
  while (h < changes.length) {
    let last = h;
    while (last + 1 < changes.length && changes[last + 1] - changes[last] <= 2 * context + 1) last++;
    const hunk = ops.slice(Math.max(0, changes[h] - context), Math.min(ops.length, changes[last] + context + 1));
    const aLines = hunk.filter((o) => o.t !== '+');
    const bLines = hunk.filter((o) => o.t !== '-');
    const aStart = aLines.length ? aLines[0].a : hunk[0].a - 1;
    const bStart = bLines.length ? bLines[0].b : hunk[0].b - 1;
    out.push(`@@ -${aStart},${aLines.length} +${bStart},${bLines.length} @@`);
    for (const o of hunk) out.push(o.t + o.s);
    h = last + 1;
  }
  return out.join('\n') + '\n';
}
