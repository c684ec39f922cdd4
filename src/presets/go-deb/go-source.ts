// What go-deb needs from a .go file, found by one left-to-right scan of Go's tokens (comments,
// strings, runes and raw strings skipped as the Go lexer skips them): the package clause and the
// import declarations, which come first in a file. No regex runs over the file: `^\s*…` with the
// m flag rescans every blank line from each line start (quadratic: 200 K blank lines took 70 s), and
// `import\s*\([^)]*^\s*"C"` did the same over 100 K lines of `import (`.

export interface GoHeader {
  /** The package clause's name, or null when the file has none before its first declaration. */
  pkg: string | null;
  /** `import "C"`, alone or as a spec of an import group (cgo). */
  cgo: boolean;
}

type Token = { kind: 'ident' | 'string' | 'punct'; text: string; lineStart: boolean };

const isIdentChar = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;

/** Go's tokens up to the end of `src`, one at a time; each position is looked at once. */
function* tokens(src: string): Generator<Token> {
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark may start a Go file
  let lineStart = true;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      i++;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
    } else if (c === 0x2f && src.charCodeAt(i + 1) === 0x2f) {
      const end = src.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === 0x2f && src.charCodeAt(i + 1) === 0x2a) {
      const end = src.indexOf('*/', i + 2);
      // A general comment with a line break counts as one (Go's semicolon rule): the next token starts a line.
      if (src.slice(i, end < 0 ? n : end).includes('\n')) lineStart = true;
      i = end < 0 ? n : end + 2;
    } else if (c === 0x60) {
      const end = src.indexOf('`', i + 1);
      const stop = end < 0 ? n : end + 1;
      yield { kind: 'string', text: src.slice(i, stop), lineStart };
      lineStart = false;
      i = stop;
    } else if (c === 0x22 || c === 0x27) {
      // "..." or '...': a backslash escapes the next character; a line break ends a broken literal.
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 0x5c) j += 2;
        else if (d === c) {
          j++;
          break;
        } else if (d === 0x0a) break;
        else j++;
      }
      const stop = Math.min(j, n);
      yield { kind: 'string', text: src.slice(i, stop), lineStart };
      lineStart = false;
      i = stop;
    } else if (isIdentChar(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(src.charCodeAt(j))) j++;
      yield { kind: 'ident', text: src.slice(i, j), lineStart };
      lineStart = false;
      i = j;
    } else {
      yield { kind: 'punct', text: src[i], lineStart };
      lineStart = false;
      i++;
    }
  }
}

/** The package clause and whether the file imports "C"; stops at the first declaration after the imports. */
export function goHeader(src: string): GoHeader {
  const out: GoHeader = { pkg: null, cgo: false };
  const it = tokens(src);
  let t = it.next();
  if (t.done || t.value.text !== 'package') return out;
  t = it.next();
  if (t.done || t.value.kind !== 'ident') return out;
  out.pkg = t.value.text;
  // import "C" | import ( spec; spec ... ) | import name "path" ...; anything else ends the imports.
  for (t = it.next(); !t.done; t = it.next()) {
    const tok = t.value;
    if (tok.text === ';') continue;
    if (tok.text !== 'import') break;
    t = it.next();
    if (t.done) break;
    if (t.value.text === '(') {
      // In a group, a spec is `[name] "path"`: "C" first on its line (or after `(` / `;`) has no name.
      let specStart = true;
      for (t = it.next(); !t.done && t.value.text !== ')'; t = it.next()) {
        const s = t.value;
        if (s.kind === 'string' && (specStart || s.lineStart) && s.text === '"C"') out.cgo = true;
        specStart = s.text === ';';
      }
    } else if (t.value.text === '"C"') out.cgo = true;
  }
  return out;
}
