// `update` keeps bytes it does not have to change, through the real CLI: a user's edit in Latin-1
// (not UTF-8) is merged byte for byte, a CRLF checkout (git's autocrlf) merges line by line and
// keeps CRLF, and a file at a generated path that shares nothing with it is one conflict, in time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { removeProject, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const dirs: string[] = [];
test.after(() => dirs.forEach(removeProject));

function scaffold(...flags: string[]): string {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  dirs.push(dir);
  const r = runCli(['--yes', ...flags], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

const bytes = (dir: string, f: string) => readFileSync(join(dir, f));
const REPLACEMENT = Buffer.from('\ufffd', 'utf8');
const LATIN1_LINE = Buffer.from('# maintained by J\xfcrgen M\xfcller\n', 'latin1');

/** Every generated file of a project (not platformio.ini, not the state file), relative. */
function generated(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.filter((p) => p !== 'platformio.ini' && p !== '.create-pio-docker.json').sort();
}

const crlf = (b: Buffer) => Buffer.from(b.toString('latin1').replaceAll('\n', '\r\n'), 'latin1');

test('a Latin-1 line added to the Dockerfile is merged byte for byte (no U+FFFD), the rest as generated', () => {
  const dir = scaffold();
  const fresh = scaffold('--tools', 'cppcheck');
  const original = bytes(dir, 'Dockerfile');
  writeFileSync(join(dir, 'Dockerfile'), Buffer.concat([LATIN1_LINE, original]));
  const r = runCli(['update', '--tools', 'cppcheck'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /merged\s+Dockerfile/);
  const after = bytes(dir, 'Dockerfile');
  assert.ok(after.equals(Buffer.concat([LATIN1_LINE, bytes(fresh, 'Dockerfile')])), after.subarray(0, 200).toString('latin1'));
  assert.is(after.indexOf(REPLACEMENT), -1);
  // Run again: nothing to do, no byte changes.
  assert.is(runCli(['update'], dir).code, 0);
  assert.ok(bytes(dir, 'Dockerfile').equals(after));
});

test('a Latin-1 value in compose.build.yaml survives a structural merge (a new env)', () => {
  const dir = scaffold();
  const path = join(dir, 'compose.build.yaml');
  const text = readFileSync(path, 'latin1');
  assert.ok(text.includes('    PIO_JOBS: ${PIO_JOBS:-}\n'));
  writeFileSync(path, Buffer.from(text.replace('    PIO_JOBS: ${PIO_JOBS:-}\n', '    PIO_JOBS: ${PIO_JOBS:-}\n    OWNER: J\xfcrgen\n'), 'latin1'));
  writeFileSync(join(dir, 'platformio.ini'), `${TWO_ENVS_INI}\n[env:pico]\nplatform = raspberrypi\nboard = pico\n`);
  const r = runCli(['update'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /merged\s+compose\.build\.yaml/);
  const after = bytes(dir, 'compose.build.yaml');
  assert.ok(after.includes(Buffer.from('    OWNER: J\xfcrgen\n', 'latin1')));
  assert.ok(after.includes(Buffer.from('pico', 'latin1')));
  assert.is(after.indexOf(REPLACEMENT), -1);
});

test('a CRLF checkout: update changes nothing; with new answers it merges line by line and keeps CRLF', () => {
  const dir = scaffold();
  const fresh = scaffold('--tools', 'cppcheck');
  // What git's autocrlf does on checkout: every generated file gets CRLF line endings.
  for (const f of generated(dir)) writeFileSync(join(dir, f), crlf(bytes(dir, f)));
  const before = new Map(generated(dir).map((f) => [f, bytes(dir, f)]));
  const same = runCli(['update'], dir);
  assert.is(same.code, 0, same.stderr);
  assert.match(same.stdout, /^Nothing changed\./m);
  for (const [f, b] of before) assert.ok(bytes(dir, f).equals(b), `${f} changed`);
  // A user's edit, then new answers: only the lines that change are touched; the file stays CRLF.
  writeFileSync(join(dir, 'Dockerfile'), Buffer.concat([crlf(LATIN1_LINE), before.get('Dockerfile')!]));
  const r = runCli(['update', '--tools', 'cppcheck'], dir);
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.not.match(r.stdout, /CONFLICT/);
  assert.match(r.stdout, /merged\s+Dockerfile/);
  assert.ok(bytes(dir, 'Dockerfile').equals(Buffer.concat([crlf(LATIN1_LINE), crlf(bytes(fresh, 'Dockerfile'))])));
  for (const f of generated(dir)) {
    const b = bytes(dir, f).toString('latin1');
    assert.not.match(b, /(^|[^\r])\n/, `${f} has a bare LF`);
    if (!before.get(f)!.equals(bytes(dir, f))) assert.ok(crlf(bytes(fresh, f)).equals(bytes(dir, f)) || f === 'Dockerfile', `${f}: not the new generation in CRLF`);
  }
});

test('a 4 MiB file at a generated path that shares nothing with it: one whole-file conflict, at once, every byte kept', () => {
  const dir = scaffold();
  const mine = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `l${i}\n`).join('').slice(0, 4 * 1024 * 1024 - 16), 'latin1');
  writeFileSync(join(dir, 'Dockerfile'), mine);
  const started = Date.now();
  const r = runCli(['update', '--tools', 'cppcheck'], dir);
  const ms = Date.now() - started;
  assert.ok(ms < 10_000, `${ms} ms`);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /CONFLICT\s+Dockerfile/);
  const after = bytes(dir, 'Dockerfile');
  assert.ok(after.subarray(0, 13).equals(Buffer.from('<<<<<<< ours\n')));
  assert.ok(after.subarray(13, 13 + mine.length).equals(mine));
});

test.run();
