// The merge engine of `update`: line diff3, unified diff, compose structural merge, env changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { hasConflictMarkers, matchLines, merge3, splitLines, unifiedDiff } from '../src/update/diff3.js';
import { diffEnvs, describeEnvChanges } from '../src/update/envs-diff.js';
import { mergeCompose } from '../src/update/merge-compose.js';
import { planFile } from '../src/update/plan-file.js';

const L = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

// ---------------------------------------------------------------- diff3

test('splitLines keeps terminators; a last line without newline is its own token', () => {
  assert.equal(splitLines('a\nb'), ['a\n', 'b']);
  assert.equal(splitLines('a\n\n'), ['a\n', '\n']);
  assert.equal(splitLines(''), []);
});

test('matchLines finds a longest common subsequence', () => {
  const a = ['a', 'b', 'c', 'a', 'b', 'b', 'a'];
  const b = ['c', 'b', 'a', 'b', 'a', 'c'];
  const m = matchLines(a, b)!;
  const pairs = [...m].map((j, i) => [i, j]).filter(([, j]) => j >= 0);
  assert.is(pairs.length, 4); // LCS length of the classic Myers example
  for (const [i, j] of pairs) assert.is(a[i], b[j]);
  for (let k = 1; k < pairs.length; k++) assert.ok(pairs[k][1] > pairs[k - 1][1], 'matches are monotone');
});

test('matchLines: a longest common subsequence on 2000 random pairs (common prefix and suffix too), as the textbook DP finds', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const lcs = (a: string[], b: string[]) => {
    const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    return t[0][0];
  };
  for (let run = 0; run < 2000; run++) {
    const word = () => 'abcd'[rnd(4)];
    const common = Array.from({ length: rnd(4) }, word);
    const tail = Array.from({ length: rnd(3) }, word);
    const a = [...common, ...Array.from({ length: rnd(12) }, word), ...tail];
    const b = [...common, ...Array.from({ length: rnd(12) }, word), ...tail];
    const m = matchLines(a, b)!;
    const pairs = [...m].map((j, i) => [i, j]).filter(([, j]) => j >= 0);
    for (const [i, j] of pairs) assert.is(a[i], b[j]);
    for (let k = 1; k < pairs.length; k++) assert.ok(pairs[k][1] > pairs[k - 1][1], 'matches are monotone');
    assert.is(pairs.length, lcs(a, b), `${a.join('')} / ${b.join('')}`);
  }
});

test('matchLines gives up (null) past its budget; merge3 then keeps both sides whole in one conflict, at once', () => {
  const base = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('');
  const ours = base.replace('line 100\n', 'x\n'.repeat(200_000));
  const theirs = base.replace('line 5\n', 'line 5 changed\n');
  assert.is(matchLines(['a', 'b'], ['b', 'a'], 0), null);
  const started = Date.now();
  const m = merge3(base, ours, theirs);
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  assert.is(m.conflicts, 1);
  assert.is(m.text, `<<<<<<< ours\n${ours}||||||| base\n${base}=======\n${theirs}>>>>>>> generated\n`);
});

test('diff3: changes on different lines from both sides merge cleanly', () => {
  const base = L('one', 'two', 'three', 'four', 'five');
  const ours = L('one', 'TWO', 'three', 'four', 'five');
  const theirs = L('one', 'two', 'three', 'four', 'FIVE', 'six');
  assert.equal(merge3(base, ours, theirs), { text: L('one', 'TWO', 'three', 'four', 'FIVE', 'six'), conflicts: 0 });
});

test('diff3: one side unchanged takes the other; both sides making the same change is clean', () => {
  const base = L('a', 'b', 'c');
  const changed = L('a', 'B', 'c', 'd');
  assert.is(merge3(base, base, changed).text, changed);
  assert.is(merge3(base, changed, base).text, changed);
  assert.equal(merge3(base, changed, changed), { text: changed, conflicts: 0 });
});

test('diff3: deletions on one side and edits elsewhere on the other', () => {
  const base = L('a', 'b', 'c', 'd', 'e');
  assert.is(merge3(base, L('a', 'c', 'd', 'e'), L('a', 'b', 'c', 'd', 'E')).text, L('a', 'c', 'd', 'E'));
});

test('diff3: the same line changed differently is a conflict with ours, base and generated', () => {
  const r = merge3(L('x', 'ARG TARGET_BOARD=uno', 'y'), L('x', 'ARG TARGET_BOARD=mega', 'y'), L('x', 'ARG TARGET_BOARD=esp32dev', 'y'));
  assert.is(r.conflicts, 1);
  assert.is(r.text, L('x', '<<<<<<< ours', 'ARG TARGET_BOARD=mega', '||||||| base', 'ARG TARGET_BOARD=uno', '=======', 'ARG TARGET_BOARD=esp32dev', '>>>>>>> generated', 'y'));
  assert.ok(hasConflictMarkers(r.text));
});

test('diff3: different insertions at the same place conflict; identical ones do not', () => {
  const base = L('a', 'b');
  const r = merge3(base, L('a', 'ours', 'b'), L('a', 'theirs', 'b'));
  assert.is(r.conflicts, 1);
  assert.is(r.text, L('a', '<<<<<<< ours', 'ours', '||||||| base', '=======', 'theirs', '>>>>>>> generated', 'b'));
  assert.equal(merge3(base, L('a', 'same', 'b'), L('a', 'same', 'b')), { text: L('a', 'same', 'b'), conflicts: 0 });
  // insertions at different places are independent
  assert.equal(merge3(base, L('top', 'a', 'b'), L('a', 'b', 'bottom')), { text: L('top', 'a', 'b', 'bottom'), conflicts: 0 });
});

test('diff3: a change next to lines the other side only inserted merges (unlike plain diff3)', () => {
  const base = L('steps:', '  - run: make');
  // ours edits the last line, theirs appends after it
  assert.equal(merge3(base, L('steps:', '  - run: make -j8'), L('steps:', '  - run: make', '  - run: test')), { text: L('steps:', '  - run: make -j8', '  - run: test'), conflicts: 0 });
  // theirs edits the line, ours inserted before it
  assert.equal(merge3(L('a', 'b', 'c'), L('a', 'new', 'b', 'c'), L('a', 'B', 'c')), { text: L('a', 'new', 'B', 'c'), conflicts: 0 });
  // both inserted after the same line: still a conflict
  assert.is(merge3(L('a', 'b'), L('a', 'b', 'o'), L('a', 'b', 't')).conflicts, 1);
  // one inserted before, the other after: both kept
  assert.equal(merge3(L('a'), L('o', 'a'), L('a', 't')), { text: L('o', 'a', 't'), conflicts: 0 });
});

test('diff3: two conflicts in one file are counted and the text between them kept', () => {
  const r = merge3(L('1', 'k', '2'), L('1o', 'k', '2o'), L('1t', 'k', '2t'));
  assert.is(r.conflicts, 2);
  assert.match(r.text, /^<<<<<<< ours\n1o\n[^]*>>>>>>> generated\nk\n<<<<<<< ours\n2o\n/);
});

test('diff3: empty files', () => {
  assert.equal(merge3('', '', ''), { text: '', conflicts: 0 });
  assert.equal(merge3('', '', L('new')), { text: L('new'), conflicts: 0 });
  assert.equal(merge3(L('old'), '', L('old')), { text: '', conflicts: 0 }, 'ours emptied it, theirs unchanged');
  assert.equal(merge3('', L('x'), L('y')).conflicts, 1);
});

test('diff3: a missing final newline is a change like any other, and markers still start lines', () => {
  // ours dropped the final newline where theirs appends a line: joining them would glue two lines
  assert.equal(merge3(L('a', 'b'), 'a\nb', L('a', 'b', 'c')), { text: 'a\n<<<<<<< ours\nb\n||||||| base\nb\n=======\nb\nc\n>>>>>>> generated\n', conflicts: 1 });
  // ours dropped the final newline, theirs changed an earlier line: both apply
  assert.equal(merge3(L('a', 'b', 'c'), 'a\nb\nc', L('A', 'b', 'c')), { text: 'A\nb\nc', conflicts: 0 });
  const r = merge3('a\n', 'b', 'c');
  assert.is(r.conflicts, 1);
  assert.is(r.text, '<<<<<<< ours\nb\n||||||| base\na\n=======\nc\n>>>>>>> generated\n');
});

test('hasConflictMarkers: marker lines at line starts, either end', () => {
  assert.ok(hasConflictMarkers('x\n<<<<<<< ours\na\n=======\nb\n>>>>>>> generated\n'));
  assert.ok(hasConflictMarkers('a\n>>>>>>> generated\n'), 'half-resolved');
  assert.not.ok(hasConflictMarkers('echo "<<<<<<< not a marker"\n'));
  assert.not.ok(hasConflictMarkers('x\n=======\n'));
});

test('unifiedDiff: hunks with context, /dev/null labels, no-newline note', () => {
  assert.is(unifiedDiff('same\n', 'same\n', 'a', 'b'), '');
  const old = L('1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12');
  const neu = L('1', 'two', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13');
  assert.is(
    unifiedDiff(old, neu, 'a/f', 'b/f'),
    ['--- a/f', '+++ b/f', '@@ -1,5 +1,5 @@', ' 1', '-2', '+two', ' 3', ' 4', ' 5', '@@ -10,3 +10,4 @@', ' 10', ' 11', ' 12', '+13', ''].join('\n'),
  );
  assert.is(unifiedDiff('', L('x'), '/dev/null', 'b/new'), '--- /dev/null\n+++ b/new\n@@ -0,0 +1,1 @@\n+x\n');
  assert.is(unifiedDiff(L('x'), 'x', 'a/f', 'b/f'), '--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-x\n+x\n\\ No newline at end of file\n');
});

// ---------------------------------------------------------------- compose

const COMPOSE_BASE = `# Generated by create-pio-docker 0.1.0. Edit freely.

services:
  # Builds env uno.
  build-uno:
    image: demo:builder
    profiles: [uno]
    environment:
      PIO_ENV: uno
      VERBOSE: "0"

  build-esp32dev:
    image: demo:builder
    profiles: [esp32dev]
    environment:
      PIO_ENV: esp32dev

volumes:
  cache: {}
`;

test('compose: theirs adds and removes services while ours changed an env var of another one', () => {
  const ours = COMPOSE_BASE.replace('VERBOSE: "0"', 'VERBOSE: "1" # louder, for CI logs');
  const theirs = COMPOSE_BASE.replace(/  build-esp32dev:[^]*?PIO_ENV: esp32dev\n/, '  build-mega:\n    image: demo:builder\n    profiles: [mega]\n    environment:\n      PIO_ENV: mega\n');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.is(r.conflicts, 0);
  const js = parse(r.text);
  assert.equal(Object.keys(js.services), ['build-uno', 'build-mega']);
  assert.is(js.services['build-uno'].environment.VERBOSE, '1');
  assert.equal(js.services['build-mega'].profiles, ['mega']);
  assert.match(r.text, /VERBOSE: "1" # louder, for CI logs\n/);
  assert.match(r.text, /# Builds env uno\.\n  build-uno:/);
});

test('compose: a comment the user added survives, their layout is kept, and the header follows the template', () => {
  const ours = COMPOSE_BASE.replace('  build-esp32dev:\n', '  # flashing needs the serial port; see docs/DOCKER.md\n  build-esp32dev:\n').replace('profiles: [uno]', 'profiles: [ uno ]');
  const theirs = COMPOSE_BASE.replace('0.1.0', '0.2.0').replace('PIO_ENV: uno\n', 'PIO_ENV: uno\n      PIO_JOBS: "4"\n');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.is(r.conflicts, 0);
  assert.match(r.text, /^# Generated by create-pio-docker 0\.2\.0\./);
  assert.match(r.text, /  # flashing needs the serial port; see docs\/DOCKER\.md\n  build-esp32dev:\n/);
  assert.match(r.text, /profiles: \[ uno \]/, 'untouched user formatting is not re-stringified');
  assert.match(r.text, /PIO_ENV: uno\n      PIO_JOBS: "4"\n      VERBOSE: "0"\n/);
});

test('compose: a service the user deleted stays deleted while theirs changes nothing there', () => {
  const ours = COMPOSE_BASE.replace(/\n  build-esp32dev:[^]*?PIO_ENV: esp32dev\n/, '');
  const theirs = COMPOSE_BASE.replace('VERBOSE: "0"', 'VERBOSE: "0"\n      CI: "1"');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.is(r.conflicts, 0);
  assert.equal(Object.keys(parse(r.text).services), ['build-uno']);
  assert.is(parse(r.text).services['build-uno'].environment.CI, '1');
});

test('compose: both sides changing the same key differently is a conflict with markers and the key named', () => {
  const ours = COMPOSE_BASE.replace('VERBOSE: "0"', 'VERBOSE: "1"');
  const theirs = COMPOSE_BASE.replace('VERBOSE: "0"', 'VERBOSE: "2"');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.is(r.conflicts, 1);
  assert.equal(r.conflictPaths, ['services.build-uno.environment.VERBOSE']);
  assert.match(r.text, /<<<<<<< ours\n      VERBOSE: "1"\n\|\|\|\|\|\|\| base\n      VERBOSE: "0"\n=======\n      VERBOSE: "2"\n>>>>>>> generated\n/);
});

test('compose: lists are whole values: the same list changed on both sides conflicts', () => {
  const ours = COMPOSE_BASE.replace('profiles: [uno]', 'profiles: [uno, all]');
  const theirs = COMPOSE_BASE.replace('profiles: [uno]', 'profiles: [uno, build]');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.equal(r.conflictPaths, ['services.build-uno.profiles']);
  assert.is(r.conflicts, 1);
});

test('compose: a change only theirs made is taken even when ours reformatted the file', () => {
  const ours = COMPOSE_BASE.replace(/\n\n/g, '\n'); // user removed blank lines (a text diff3 would still cope; values decide here)
  const theirs = COMPOSE_BASE.replace('image: demo:builder\n    profiles: [esp32dev]', 'image: demo:builder2\n    profiles: [esp32dev]');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.is(r.conflicts, 0);
  assert.is(parse(r.text).services['build-esp32dev'].image, 'demo:builder2');
  assert.is(parse(r.text).services['build-uno'].image, 'demo:builder');
  assert.not.match(r.text, /\n\n/);
});

test('compose: keys added at the same line by both sides, in different maps, merge (a line merge conflicts)', () => {
  const ours = COMPOSE_BASE.replace('      VERBOSE: "0"\n', '      VERBOSE: "0"\n    stop_grace_period: 42s\n');
  const theirs = COMPOSE_BASE.replace('      VERBOSE: "0"\n', '      VERBOSE: "0"\n      PIO_JOBS: "4"\n');
  assert.is(merge3(COMPOSE_BASE, ours, theirs).conflicts, 1, 'the premise: the line merge conflicts');
  const r = mergeCompose(COMPOSE_BASE, ours, theirs);
  assert.is(r.conflicts, 0);
  const uno = parse(r.text).services['build-uno'];
  assert.is(uno.stop_grace_period, '42s');
  assert.equal(uno.environment, { PIO_ENV: 'uno', VERBOSE: '0', PIO_JOBS: '4' });
  assert.match(r.text, /# Builds env uno\.\n/);
  assert.match(r.text, /^# Generated by create-pio-docker 0\.1\.0\. Edit freely\.\n\nservices:\n/);
});

test('compose: a file that is not YAML falls back to the text merge', () => {
  const ours = COMPOSE_BASE.replace('volumes:', 'volumes: [oops');
  const r = mergeCompose(COMPOSE_BASE, ours, COMPOSE_BASE.replace('0.1.0', '0.2.0'));
  assert.is(r.conflicts, 0);
  assert.match(r.text, /0\.2\.0[^]*volumes: \[oops/);
});

test('compose: anchors and aliases survive and compare by value', () => {
  const base = `x-common: &common\n  image: demo:builder\nservices:\n  a:\n    <<: *common\n    command: a\n`;
  const ours = base.replace('command: a', 'command: a  # mine');
  const theirs = `${base}  b:\n    <<: *common\n    command: b\n`;
  const r = mergeCompose(base, ours, theirs);
  assert.is(r.conflicts, 0);
  assert.match(r.text, /  b:\n    <<: \*common\n    command: b\n/);
  assert.match(r.text, /command: a {2}# mine/);
});

// ---------------------------------------------------------------- per-file decision

test('planFile: the decision table', () => {
  const t = (base: string | null, ours: string | null, theirs: string | null) => planFile('Dockerfile', base, ours, theirs, false);
  assert.is(t('a\n', 'a\n', 'b\n').status, 'updated');
  assert.is(t('a\n', 'a\n', 'b\n').result, 'b\n');
  assert.is(t('a\n', 'mine\n', 'a\n').status, 'kept (yours)');
  assert.is(t('a\n', 'b\n', 'b\n').status, 'unchanged');
  assert.is(t('a\n', null, 'b\n').status, 'deleted by you, left deleted');
  assert.is(t('a\n', null, 'b\n').result, null);
  assert.is(t(null, null, 'b\n').status, 'created');
  assert.is(t(null, 'mine\n', 'b\n').status, 'IN THE WAY', 'never generated here: not ours to merge into');
  assert.is(t('a\n', 'a\n', null).status, 'removed (no longer generated)');
  assert.is(t('a\n', 'mine\n', null).status, 'kept (yours; no longer generated)');
  const c = t(L('1', '2'), L('1', 'o'), L('1', 't'));
  assert.is(c.status, 'CONFLICT');
  assert.is(t(L('1', '2', '3'), L('1o', '2', '3'), L('1', '2', '3t')).result, L('1o', '2', '3t'));
  assert.is(planFile('compose.build.yaml', COMPOSE_BASE, COMPOSE_BASE.replace('VERBOSE: "0"', 'VERBOSE: "1"'), COMPOSE_BASE.replace('uno:', 'uno2:'), false).status, 'merged');
});

// ---------------------------------------------------------------- envs

const E = (name: string, board: string | null, platform: string | null = 'p') => ({ name, board, platform });

test('envs: stored order kept, new envs appended, removed dropped, board changes reported', () => {
  const c = diffEnvs([E('uno', 'uno'), E('esp32dev', 'esp32dev')], [E('uno', 'uno'), E('esp32dev', 'esp32-s3'), E('pico', 'rpipico')]);
  assert.equal(c.envs.map((e) => e.name), ['uno', 'esp32dev', 'pico']);
  assert.is(c.envs[1].board, 'esp32-s3');
  assert.equal(c.added, ['pico']);
  assert.equal(c.removed, []);
  assert.equal(c.changed, [{ name: 'esp32dev', field: 'board', from: 'esp32dev', to: 'esp32-s3' }]);
  assert.is(c.defaultEnv, null);
  const d = diffEnvs([E('uno', 'uno'), E('esp32dev', 'esp32dev')], [E('esp32dev', 'esp32dev'), E('pico', 'rpipico')]);
  assert.equal(d.envs.map((e) => e.name), ['esp32dev', 'pico']);
  assert.equal(d.removed, ['uno']);
  assert.equal(d.defaultEnv, { from: 'uno', to: 'esp32dev' });
  assert.ok(describeEnvChanges(d).includes('default env (TARGET_BOARD): uno -> esp32dev'));
  // the default env went away: default_envs picks its successor, not the stored order
  const e = diffEnvs([E('uno', 'uno'), E('esp32dev', 'esp32dev')], [E('pico', 'rpipico'), E('esp32dev', 'esp32dev')], ['pico']);
  assert.equal(e.envs.map((x) => x.name), ['pico', 'esp32dev']);
  assert.equal(e.defaultEnv, { from: 'uno', to: 'pico' });
  // ...but while it stays, a stored order that differs from default_envs is kept (it may be on purpose)
  const f = diffEnvs([E('esp32dev', 'esp32dev'), E('uno', 'uno')], [E('uno', 'uno'), E('esp32dev', 'esp32dev')], ['uno']);
  assert.equal(f.envs.map((x) => x.name), ['esp32dev', 'uno']);
});

test('envs: a removed env and an added one with the same board and platform is a rename, in place', () => {
  const c = diffEnvs([E('uno', 'uno', 'atmelavr'), E('esp32dev', 'esp32dev')], [E('esp32dev', 'esp32dev'), E('uno_r3', 'uno', 'atmelavr')]);
  assert.equal(c.renamed, [{ from: 'uno', to: 'uno_r3' }]);
  assert.equal(c.added, []);
  assert.equal(c.removed, []);
  assert.equal(c.envs.map((e) => e.name), ['uno_r3', 'esp32dev']);
  assert.ok(describeEnvChanges(c).includes('env renamed: uno -> uno_r3 (same board and platform)'));
  // different platform: not a rename
  const d = diffEnvs([E('uno', 'uno', 'atmelavr')], [E('uno2', 'uno', 'other')]);
  assert.equal([d.added, d.removed, d.renamed], [['uno2'], ['uno'], []]);
  assert.equal(describeEnvChanges(diffEnvs([E('a', 'x')], [E('a', 'x')])), []);
});

test.run();
