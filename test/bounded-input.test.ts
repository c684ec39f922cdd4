// Every input goes through one bounded reader (src/safety/read.ts): a 700 MB sparse file where the
// tool reads (a generated path, the state file, each preset's inputs, verify's Dockerfile) is one
// `error:` line naming it, at once and in little memory; the real CLI runs under /usr/bin/time for
// its peak RSS. The linear Go scanner (go-source.ts) is checked here too.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goHeader } from '../src/presets/go-deb/go-source.js';
import { parseGoMod } from '../src/presets/go-deb/read.js';
import { setupPyModules, tomlString } from '../src/presets/python-wheels/scan.js';
import { decodeText, encodeText } from '../src/core/safety/read.js';
import { BIN, removeProject, ROOT, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const HUGE = '700M';
const LIMIT_MS = 5000;
/** Node itself takes ~50 MB; reading the file would take 700 MB (and 1.1 GB as a string). */
const MAX_RSS_KB = 150 * 1024;
const dirs: string[] = [];
test.after(() => dirs.forEach(removeProject));

function project(files: Record<string, string>): string {
  const dir = tempProject(files);
  dirs.push(dir);
  return dir;
}
const fixture = (preset: string) => {
  const dir = project({});
  cpSync(join(ROOT, 'test', 'fixtures', 'presets', preset), dir, { recursive: true });
  return dir;
};

/** A sparse file of 700 MB, made as a user would: truncate(1). */
function sparse(dir: string, path: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  rmSync(join(dir, path), { force: true });
  const r = spawnSync('truncate', ['-s', HUGE, join(dir, path)]);
  assert.is(r.status, 0, String(r.stderr));
}

/** The built CLI under /usr/bin/time: exit code, output, wall time and peak RSS. */
function timed(args: string[], cwd: string): { code: number; stdout: string; stderr: string; ms: number; rssKb: number } {
  const rssFile = join(dirname(cwd), 'rss.txt');
  const started = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  const ms = Date.now() - started;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms, rssKb: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) };
}

/** One `error:` line naming the file and its size, exit 2, no stack, in time and memory. */
function refusedQuickly(args: string[], cwd: string, names: string): void {
  const r = timed(args, cwd);
  const what = `create-pio-docker ${args.join(' ')}`;
  assert.ok(r.ms < LIMIT_MS, `${what}: ${r.ms} ms`);
  assert.ok(r.rssKb > 0 && r.rssKb < MAX_RSS_KB, `${what}: peak RSS ${r.rssKb} KB`);
  assert.is(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines, [`error: ${names}: 700 MiB, more than the 4 MiB this tool reads`], `${what}:\n${r.stderr}`);
  assert.not.match(r.stderr, /^\s+at |unexpected error/m);
}

test('700 MB sparse file at a generated path: the scaffold, update and update --dry-run stop at once', () => {
  const dir = project({ 'platformio.ini': TWO_ENVS_INI });
  sparse(dir, 'Dockerfile');
  refusedQuickly(['--yes'], dir, 'Dockerfile');
  rmSync(join(dir, 'Dockerfile'));
  assert.is(runCli(['--yes'], dir).code, 0);
  sparse(dir, 'docker/entrypoint.sh');
  refusedQuickly(['update'], dir, 'docker/entrypoint.sh');
  refusedQuickly(['update', '--dry-run'], dir, 'docker/entrypoint.sh');
});

test('700 MB sparse state file: update, envs and verify stop at once', () => {
  const dir = project({ 'platformio.ini': TWO_ENVS_INI });
  assert.is(runCli(['--yes'], dir).code, 0);
  sparse(dir, '.create-pio-docker.json');
  refusedQuickly(['update'], dir, '.create-pio-docker.json');
  refusedQuickly(['envs', '--json'], dir, '.create-pio-docker.json');
  refusedQuickly(['verify'], dir, '.create-pio-docker.json');
});

test('700 MB sparse platformio.ini, and one pulled in by extra_configs', () => {
  const dir = project({ 'platformio.ini': TWO_ENVS_INI });
  sparse(dir, 'platformio.ini');
  const r = timed(['envs', '--json'], dir);
  assert.ok(r.ms < LIMIT_MS && r.rssKb < MAX_RSS_KB, `${r.ms} ms, ${r.rssKb} KB`);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^error: cannot read .*platformio\.ini: 700 MiB, more than the 4 MiB this tool reads\n$/);
  const inc = project({ 'platformio.ini': TWO_ENVS_INI.replace('[platformio]\n', '[platformio]\nextra_configs = big.ini\n') });
  sparse(inc, 'big.ini');
  const r2 = timed(['--yes'], inc);
  assert.ok(r2.ms < LIMIT_MS && r2.rssKb < MAX_RSS_KB, `${r2.ms} ms, ${r2.rssKb} KB`);
  assert.is(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /^error: .*platformio\.ini:\d+: \[platformio\] extra_configs: .*big\.ini: 700 MiB, more than the 4 MiB this tool reads\n$/);
});

test('go-deb: a 700 MB go.mod, debian/control or .go file', () => {
  const gomod = fixture('go-deb');
  sparse(gomod, 'go.mod');
  refusedQuickly(['--yes', '--preset', 'go-deb'], gomod, 'go.mod');
  refusedQuickly(['project', '--json'], gomod, 'go.mod');
  const control = fixture('go-deb');
  sparse(control, 'debian/control');
  refusedQuickly(['--yes', '--preset', 'go-deb'], control, 'debian/control');
  const go = fixture('go-deb');
  sparse(go, 'cmd/a/main.go');
  const r = timed(['project', '--json'], go);
  assert.ok(r.ms < LIMIT_MS && r.rssKb < MAX_RSS_KB, `${r.ms} ms, ${r.rssKb} KB`);
  assert.is(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'error: cmd/a/main.go: 700 MiB, more than the 1 MiB this tool reads\n');
});

test('python-wheels: a 700 MB pyproject.toml or setup.py', () => {
  for (const file of ['pyproject.toml', 'setup.py']) {
    const dir = fixture('python-wheels');
    sparse(dir, file);
    refusedQuickly(['--yes', '--preset', 'python-wheels'], dir, file);
    refusedQuickly(['project', '--json'], dir, file);
  }
});

test('verify: a 700 MB Dockerfile is one line before any engine is asked', () => {
  const dir = project({ 'platformio.ini': TWO_ENVS_INI });
  assert.is(runCli(['--yes'], dir).code, 0);
  sparse(dir, 'Dockerfile');
  const r = timed(['verify'], dir);
  assert.ok(r.ms < LIMIT_MS && r.rssKb < MAX_RSS_KB, `${r.ms} ms, ${r.rssKb} KB`);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: .*Dockerfile is larger than 4 MiB\n$/);
});

// ---- the Go scanner: linear, and right -------------------------------------------------------

test('usesCgo: 100 K lines of `import (` (and other hostile shapes) are scanned in well under a second', () => {
  const shapes = {
    'import (': `package main\n${'import (\n'.repeat(100_000)}`,
    'blank lines': `${'\n'.repeat(1_000_000)}package main\n`,
    'unclosed comments': `package main\n${'/*'.repeat(500_000)}`,
    'unclosed strings': `package main\nimport (\n${'"\n'.repeat(500_000)}`,
  };
  for (const [name, text] of Object.entries(shapes)) {
    const started = performance.now();
    goHeader(text);
    const ms = performance.now() - started;
    assert.ok(ms < 300, `${name}: ${ms.toFixed(0)} ms`);
  }
});

test('usesCgo: import "C" alone or in a group; not in comments, strings or with a name', () => {
  const cgo = (body: string) => goHeader(`// Copyright\n\npackage fs\n\n${body}\n\nfunc main() {}\n`).cgo;
  assert.ok(cgo('import "C"'));
  assert.ok(cgo('// #include <stdio.h>\nimport "C"'));
  assert.ok(cgo('import (\n\t"fmt"\n\t"C"\n)'));
  assert.ok(cgo('import ("fmt"; "C")'));
  assert.ok(cgo('import "fmt"\n/*\n#include <x.h>\n*/\nimport "C"'));
  assert.ok(cgo('import (\n\t"fmt" // not "C" here\n\t"C"\n)'));
  assert.not.ok(cgo('import "fmt"'));
  assert.not.ok(cgo('// import "C"'));
  assert.not.ok(cgo('/* import "C" */\nimport "fmt"'));
  assert.not.ok(cgo('import (\n\t"fmt"\n\t// "C"\n)'));
  assert.not.ok(cgo('import (\n\tc "C"\n)'));
  assert.not.ok(cgo('import "fmt"\n\nvar s = `\nimport "C"\n`'));
  assert.not.ok(cgo('import "fmt"\n\nvar s = "import \\"C\\""'));
  // After the first declaration nothing is an import any more.
  assert.not.ok(cgo('func f() {}\nimport "C"'));
  assert.is(goHeader('\ufeff// +build linux\n\npackage main\n').pkg, 'main');
  assert.is(goHeader('/* package main */ package lib').pkg, 'lib');
  assert.is(goHeader('// package main\n').pkg, null);
});

test('go.mod, pyproject.toml, setup.py: the line readers are linear on long runs of blank lines and spaces', () => {
  const cases: [string, () => unknown][] = [
    ['go.mod blank lines', () => parseGoMod(`${'\n'.repeat(1_000_000)}module example.com/x\n`)],
    ['pyproject spaces', () => tomlString(`[project]\nname = "x"${' '.repeat(1_000_000)}x\n`, 'project', 'name')],
    ['pyproject blank lines', () => tomlString(`${'\n \n'.repeat(300_000)}[project]\nname = "x"\n`, 'project', 'name')],
    ['setup.py unclosed calls', () => setupPyModules(`${'Extension('.repeat(100_000)}`)],
  ];
  for (const [name, fn] of cases) {
    const started = performance.now();
    fn();
    const ms = performance.now() - started;
    assert.ok(ms < 500, `${name}: ${ms.toFixed(0)} ms`);
  }
  assert.is(tomlString('[project]\nname = "x"  # the name\n', 'project', 'name'), 'x');
  assert.equal(parseGoMod('\n\n  module example.com/x // comment\r\ngo 1.21\r\n'), { module: 'example.com/x', goVersion: '1.21' });
});

test('python-wheels: setup.py name= after an unclosed Extension( call is still found (project --json)', () => {
  const dir = project({ 'setup.py': 'from setuptools import setup, Extension\nsetup(name="fastsum", ext_modules=[Extension("fastsum._core", ["a.c"])])\n' });
  const r = runCli(['project', '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).read.name, 'fastsum');
});

test('decodeText/encodeText keep every byte: Latin-1, broken and overlong sequences, surrogates, astral characters', () => {
  const samples = [Buffer.from('J\xfcrgen\n', 'latin1'), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82]), Buffer.from('ok \u00fc \u{1f600}\n', 'utf8'), Buffer.concat([Buffer.from('\u{1f480}', 'utf8'), Buffer.from([0xfc])])];
  for (const b of samples) assert.ok(encodeText(decodeText(b)).equals(b), b.toString('hex'));
  assert.is(decodeText(Buffer.from('plain \u00fc', 'utf8')), 'plain \u00fc');
});

test.run();
