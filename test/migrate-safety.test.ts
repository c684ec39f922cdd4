// `create-pio-docker migrate` never harms the user's files: it does not write, move or remove
// anything through a symlink, and a failed write (disk full) leaves every file as it was.
// Runs the built CLI on temp copies of test/fixtures/migrate/base-overrides.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, runCli, type CliResult } from './helpers/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'migrate', 'base-overrides');
const OLD = ['docker-compose.yml', 'docker-compose.dev.yml', 'docker-compose.prod.yml'];

/** A temp folder holding `proj` (a copy of the fixture) and `outside` (a folder outside the project). */
function setup(): { base: string; proj: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'cpd-migrate-safety-'));
  const proj = join(base, 'proj');
  const outside = join(base, 'outside');
  cpSync(FIXTURE, proj, { recursive: true });
  mkdirSync(outside);
  return { base, proj, outside };
}

/** path -> content and mode of every file below dir, or `-> target` for a symlink (never followed). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (e.isSymbolicLink()) out.set(rel, `-> ${readlinkSync(p)}`);
      else if (e.isDirectory()) walk(p);
      else out.set(rel, `${(lstatSync(p).mode & 0o7777).toString(8)} ${readFileSync(p, 'utf8')}`);
    }
  };
  walk(dir);
  return out;
}

const migrate = (proj: string, ...extra: string[]) => runCli(['migrate', proj, '--yes', ...extra], proj);

/**
 * Exit 1 (or 2 where detection already refuses the input), and stderr is exactly one error line plus
 * "Nothing was changed.", no stack trace.
 */
function assertRefused(r: CliResult, mentions: string | RegExp, codes = [1]): void {
  assert.ok(codes.includes(r.code), `exit ${r.code}, expected ${codes.join(' or ')}\n${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 2, r.stderr);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], mentions);
  assert.is(lines[1], 'Nothing was changed.');
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.not.match(r.stdout, /^(wrote|removed|kept|replaced) /m, 'nothing reported as done');
}

/** The old compose files, byte for byte. */
const oldFiles = (proj: string) => OLD.map((f) => readFileSync(join(proj, f)));
const fixtureFiles = () => OLD.map((f) => readFileSync(join(FIXTURE, f)));
const temps = (dir: string) => [...snapshot(dir).keys()].filter((p) => /(^|\/)\..*\.cpd-/.test(p));

test('safety: compose.yaml is a symlink to a file outside the project -> exit 1, nothing written anywhere', () => {
  const { base, proj, outside } = setup();
  try {
    const target = join(outside, 'theirs.yaml');
    writeFileSync(target, 'not yours\n');
    symlinkSync(target, join(proj, 'compose.yaml'));
    const before = snapshot(proj);
    const r = migrate(proj);
    // detection may refuse the link as input it will not read (exit 2); migrate itself refuses it as a write target (exit 1)
    assertRefused(r, /compose\.yaml\b.*\bsymlink/, [1, 2]);
    assert.is(readFileSync(target, 'utf8'), 'not yours\n', 'the outside file is unchanged');
    assert.equal(oldFiles(proj), fixtureFiles());
    assert.equal(snapshot(proj), before, 'no compose.yaml, .bak or guide written');
    assert.ok(lstatSync(join(proj, 'compose.yaml')).isSymbolicLink(), 'the link is left as it is');
    assert.not.ok(existsSync(join(proj, 'docs')));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: compose.yaml is a dangling symlink -> exit 1, its target not created', () => {
  const { base, proj, outside } = setup();
  try {
    const target = join(outside, 'created-by-migrate.yaml');
    symlinkSync(target, join(proj, 'compose.yaml'));
    const before = snapshot(proj);
    const r = migrate(proj, '--remove-old');
    assertRefused(r, 'compose.yaml is a symlink');
    assert.not.ok(existsSync(target), 'nothing written through the dangling link');
    assert.equal(oldFiles(proj), fixtureFiles(), '--remove-old removed nothing');
    assert.equal(snapshot(proj), before);
    assert.is(readlinkSync(join(proj, 'compose.yaml')), target);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: docs/ is a symlink to an outside folder -> exit 1, nothing written there or in the project', () => {
  const { base, proj, outside } = setup();
  try {
    symlinkSync(outside, join(proj, 'docs'));
    const before = snapshot(proj);
    const r = migrate(proj);
    assertRefused(r, 'docs/ is a symlink');
    assert.equal(snapshot(outside), new Map(), 'the outside folder is still empty');
    assert.equal(snapshot(proj), before);
    assert.not.ok(existsSync(join(proj, 'compose.yaml')));
    assert.equal(oldFiles(proj), fixtureFiles());
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: a backup path that is a dangling symlink -> exit 1, nothing renamed or written', () => {
  const { base, proj, outside } = setup();
  try {
    const target = join(outside, 'bak');
    symlinkSync(target, join(proj, 'docker-compose.dev.yml.bak'));
    const before = snapshot(proj);
    const r = migrate(proj);
    assertRefused(r, 'docker-compose.dev.yml.bak is a symlink');
    assert.not.ok(existsSync(target));
    assert.equal(snapshot(proj), before);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: an old compose file that is a symlink inside the repo is refused, neither it nor its target moved', () => {
  const { base, proj } = setup();
  try {
    mkdirSync(join(proj, 'compose-files'));
    renameSync(join(proj, 'docker-compose.prod.yml'), join(proj, 'compose-files', 'prod.yml'));
    symlinkSync('compose-files/prod.yml', join(proj, 'docker-compose.prod.yml'));
    const before = snapshot(proj);
    const r = migrate(proj, '--remove-old');
    assertRefused(r, 'docker-compose.prod.yml is a symlink: migrate does not move or remove links; replace it with the file it points to');
    assert.equal(snapshot(proj), before);
    assert.is(readlinkSync(join(proj, 'docker-compose.prod.yml')), 'compose-files/prod.yml');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: disk full while writing with --remove-old -> exit 1, one line, old files intact, no temp files', () => {
  const base = mkdtempSync(join(tmpdir(), 'cpd-migrate-safety-'));
  const mnt = join(base, 'mnt');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.log(`  skipped (disk-full test): cannot mount a tmpfs here (${(m.stderr || m.error?.message || 'unknown').trim().split('\n')[0]})`);
    rmSync(base, { recursive: true, force: true });
    return;
  }
  try {
    const proj = join(mnt, 'proj');
    cpSync(FIXTURE, proj, { recursive: true });
    // a second name for each old file, so that removing it frees no space (else deleting the old
    // files first, as migrate once did, would make room for the new one)
    mkdirSync(join(mnt, 'links'));
    for (const f of OLD) linkSync(join(proj, f), join(mnt, 'links', f));
    // fill the file system to the last byte (tmpfs hands out whole pages)
    const fd = openSync(join(mnt, 'filler'), 'w');
    try {
      for (const size of [4096, 1]) {
        const buf = Buffer.alloc(size, 120);
        for (;;) {
          try {
            writeSync(fd, buf);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
            break;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    const before = snapshot(proj);
    const r = migrate(proj, '--remove-old');
    assertRefused(r, 'no space left on the device');
    assert.equal(oldFiles(proj), fixtureFiles(), 'the old compose files are still there, byte for byte');
    assert.equal(snapshot(proj), before, 'nothing added, removed or changed');
    assert.equal(temps(mnt), [], 'no temp files left');
    assert.not.ok(existsSync(join(proj, 'docs')), 'the folder made for the guide is gone again');
  } finally {
    const u = spawnSync('umount', [mnt], { encoding: 'utf8' });
    if (u.status !== 0) spawnSync('umount', ['-l', mnt]);
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: a successful --remove-old leaves exactly compose.yaml and docs/MIGRATION.md', () => {
  const { base, proj } = setup();
  try {
    const r = migrate(proj, '--remove-old');
    assert.is(r.code, 0, r.stderr);
    assert.equal([...snapshot(proj).keys()].sort(), ['compose.yaml', 'docs/MIGRATION.md']);
    for (const f of OLD) assert.match(r.stdout, `removed ${f}`);
    assert.match(r.stdout, 'wrote compose.yaml');
    assert.match(r.stdout, 'wrote docs/MIGRATION.md');
    assert.match(readFileSync(join(proj, 'docs/MIGRATION.md'), 'utf8'), '--remove-old');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('safety: backups keep the old files\' content and mode; a second run refuses to overwrite them', () => {
  const { base, proj } = setup();
  try {
    chmodSync(join(proj, 'docker-compose.prod.yml'), 0o600);
    const r = migrate(proj);
    assert.is(r.code, 0, r.stderr);
    assert.equal(OLD.map((f) => readFileSync(join(proj, `${f}.bak`))), fixtureFiles());
    assert.is(statSync(join(proj, 'docker-compose.prod.yml.bak')).mode & 0o777, 0o600);
    for (const f of OLD) assert.not.ok(existsSync(join(proj, f)));
    // the old files come back (and compose.yaml goes); the backups are in the way now
    for (const f of OLD) cpSync(join(FIXTURE, f), join(proj, f));
    rmSync(join(proj, 'compose.yaml'));
    const before = snapshot(proj);
    const again = migrate(proj);
    assertRefused(again, 'backups already exist');
    assert.equal(snapshot(proj), before);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
