// Which CPython minor versions (3.9–3.14, the ones manylinux images ship in /opt/python) a
// requires-python specifier allows. Enough of PEP 440 for minor versions: >=, >, <=, <, ==, !=, ~=
// and `.*` prefixes; a clause it does not understand allows everything (pip decides later).
export const SUPPORTED_PYTHONS = ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14'] as const;

const parts = (v: string) => v.split('.').map((x) => Number(x));

/** -1, 0, 1 comparing 3.Y (as 3.Y.0) with v, on v's length. */
function cmp(minor: string, v: number[]): number {
  const a = parts(minor);
  for (let i = 0; i < v.length; i++) {
    const d = (a[i] ?? 0) - v[i];
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function allows(minor: string, clause: string): boolean {
  const m = /^(~=|==|!=|>=|<=|>|<)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?$/.exec(clause.trim());
  if (!m) return true;
  const [, op, ver, star] = m;
  const v = parts(ver);
  // A `.*` prefix or a patch level: compare on the minor version only.
  const c = cmp(minor, v.slice(0, 2));
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return star || v.length <= 2 ? c !== 0 : true;
    case '>=':
      return c >= 0;
    case '>':
      // >3.11.2: 3.11.3 exists, so 3.11 is allowed.
      return v.length > 2 ? c >= 0 : c > 0;
    case '<=':
      return c <= 0;
    case '<':
      return v.length > 2 && v[2] > 0 ? c <= 0 : c < 0;
    case '~=':
      // ~=3.11 is >=3.11,==3.*; ~=3.11.2 is >=3.11.2,==3.11.* (so 3.11 itself).
      return v.length <= 2 ? c >= 0 && parts(minor)[0] === v[0] : c === 0;
  }
  return true;
}

/** The supported versions requires-python allows (all of them when it is absent). */
export function pythonsFor(requiresPython: string | null): string[] {
  if (!requiresPython) return [...SUPPORTED_PYTHONS];
  const clauses = requiresPython.split(',').filter((c) => c.trim() !== '');
  return SUPPORTED_PYTHONS.filter((p) => clauses.every((c) => allows(p, c)));
}

/** 3.11 -> cp311 (the tag in /opt/python/cp311-cp311 and in wheel names). */
export const cpTag = (minor: string) => `cp${minor.replace('.', '')}`;
