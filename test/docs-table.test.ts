// docs/DOCKER.md's env table stays a table whatever platformio.ini calls its boards and platforms:
// `|` and the characters that make code, emphasis, links or HTML are escaped (scaffolded with the
// real CLI, the table read back the way GitHub's Markdown splits table rows).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mdCell } from '../src/capabilities/template.js';
import { removeProject, runCli, tempProject } from './helpers/cli.js';

/** A GFM table row's cells: split at every `|` not escaped by a backslash, the escapes then removed. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i];
    if (ch === '\\' && i + 1 < row.length && /[!-/:-@[-`{-~]/.test(row[i + 1])) cur += row[i] + row[++i];
    else if (ch === '|') (out.push(cur), (cur = ''));
    else cur += ch;
  }
  out.push(cur);
  // A row starts and ends with a pipe: drop the empty outer cells.
  return out.slice(1, -1).map((c) => c.trim().replace(/\\([!-/:-@[-`{-~])/g, '$1'));
}

const BOARD = 'esp32|dev*x_y`z';
const PLATFORM = 'https://example.org/p<a>t|[v1]~&\\';

test('a `|` (and * _ ` < > [ ] ~ & \\) in a board or platform keeps the env table at four columns, each shown as written', () => {
  const dir = tempProject({ 'platformio.ini': `[env:odd]\nplatform = ${PLATFORM}\nboard = ${BOARD}\n\n[env:uno]\nplatform = atmelavr\nboard = uno\n` });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    const doc = readFileSync(join(dir, 'docs', 'DOCKER.md'), 'utf8').split('\n');
    const header = doc.indexOf('| env | board | platform | build it |');
    assert.ok(header >= 0);
    const rows = doc.slice(header + 2, doc.findIndex((l, i) => i > header && !l.startsWith('|')));
    assert.is(rows.length, 2, rows.join('\n'));
    for (const row of rows) assert.is(cells(row).length, 4, row);
    const odd = cells(rows.find((l) => l.startsWith('| `odd`'))!);
    assert.equal(odd.slice(1, 3), [BOARD, PLATFORM]);
    // Nothing else in the cell is taken as Markdown: every special character is escaped.
    assert.not.match(rows.join('\n'), /(^|[^\\])[*_<>[\]~&]/);
  } finally {
    removeProject(dir);
  }
});

test('mdCell leaves ordinary board names as they are', () => {
  for (const b of ['esp32dev', 'uno', 'nodemcuv2', 'esp32-s3-devkitc-1', 'pico', 'teensy41']) assert.is(mdCell(b), b);
  assert.is(mdCell('a|b'), 'a\\|b');
});

test.run();
