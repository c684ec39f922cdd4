// Repos that keep platformio.ini in a subfolder (as ExpressLRS and ahoy do in src/): run from the
// repository root or from the subfolder, the generated files land at the root (GitHub reads only the
// root's .github/), the whole repo is mounted and the builds run in the subfolder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readState, removeProject, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const INI = TWO_ENVS_INI.replace('[env:uno]', '[env:uno]\nextra_scripts = pre:../scripts/version.py');

/** A git repo (a `.git` folder is what marks its root) with the project in fw/. */
function repo(): string {
  const dir = tempProject({ 'fw/platformio.ini': INI, 'fw/src/main.cpp': 'int main() {}\n', 'scripts/version.py': 'Import("env")\n', 'README.md': '# x\n' });
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
  return dir;
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

test('from the root: files at the root, the workflow in the root .github/, builds run in fw/', () => {
  const dir = repo();
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.is(readState(dir).answers.projectDir, 'fw');
    for (const f of ['Dockerfile', 'compose.build.yaml', '.github/workflows/docker-build.yml', 'docs/DOCKER.md', '.create-pio-docker.json']) assert.ok(existsSync(join(dir, f)), f);
    assert.equal([...snapshot(join(dir, 'fw')).keys()].sort(), ['platformio.ini', 'src/main.cpp'], 'nothing written into the project folder');
    assert.match(read(dir, 'Dockerfile'), /^WORKDIR \/workspace\/fw$/m);
    const build = parse(read(dir, 'compose.build.yaml'), { merge: true });
    const svc = build.services.uno;
    assert.is(svc.working_dir, '/workspace/fw');
    assert.ok(svc.volumes.includes('.:/workspace'), 'the whole repository is mounted');
    const wf = read(dir, '.github/workflows/docker-build.yml');
    assert.match(wf, /hashFiles\('fw\/platformio\.ini', 'fw\/\*\*\/\*\.ini'/);
    assert.match(wf, /path: fw\/firmware\//);
    assert.match(read(dir, '.dockerignore'), /^fw\/\.pio\/$/m);
    assert.match(read(dir, 'docs/DOCKER.md'), /The PlatformIO project is in `fw\/`/);
    assert.match(read(dir, 'docs/DOCKER.md'), /^ls fw\/\.pio\/build\/uno\/ /m);
    const cfg = spawnSync('docker-compose', ['-f', 'compose.build.yaml', '--profile', 'uno', 'config', '-q'], { cwd: dir, encoding: 'utf8' });
    if (cfg.error) console.log('  (docker-compose not installed: compose config not checked here)');
    else assert.is(cfg.status, 0, cfg.stderr);
  } finally {
    removeProject(dir);
  }
});

test('from the subfolder: the same files at the root; envs and update find the project the same way', () => {
  const a = repo();
  const b = repo();
  try {
    assert.is(runCli(['--yes'], a).code, 0);
    const r = runCli(['--yes'], join(b, 'fw'));
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /PlatformIO project in fw\/: the files go to the repository root/);
    assert.equal(snapshot(b), snapshot(a));

    const fromRoot = runCli(['envs', '--json'], a);
    const fromSub = runCli(['envs', '--json'], join(a, 'fw'));
    assert.is(fromRoot.code, 0, fromRoot.stderr);
    assert.is(fromRoot.stdout, fromSub.stdout);
    assert.equal(JSON.parse(fromRoot.stdout).envs, ['esp32dev', 'uno']);

    writeFileSync(join(a, 'fw/platformio.ini'), `${INI}\n[env:pico]\nplatform = raspberrypi\nboard = pico\n`);
    const u = runCli(['update'], join(a, 'fw'));
    assert.is(u.code, 0, u.stderr);
    assert.match(u.stdout, /env added: pico/);
    assert.match(read(a, 'compose.build.yaml'), /pico/);
    assert.not.ok(existsSync(join(a, 'fw/compose.build.yaml')));
    assert.is(runCli(['update', '--check'], a).code, 0, 'the root sees the same state');
  } finally {
    removeProject(a);
    removeProject(b);
  }
});

test('two projects below the folder: exit 2 naming both, nothing written', () => {
  const dir = tempProject({ 'a/platformio.ini': TWO_ENVS_INI, 'b/platformio.ini': TWO_ENVS_INI });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /2 PlatformIO projects below demo-fw: a, b; run create-pio-docker in the one you mean/);
    assert.equal([...snapshot(dir).keys()].sort(), ['a/platformio.ini', 'b/platformio.ini']);
  } finally {
    removeProject(dir);
  }
});

test('a project at the root is unchanged: projectDir ".", WORKDIR /workspace', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    mkdirSync(join(dir, '.git'));
    assert.is(runCli(['--yes'], dir).code, 0);
    assert.is(readState(dir).answers.projectDir, '.');
    assert.match(read(dir, 'Dockerfile'), /^WORKDIR \/workspace$/m);
  } finally {
    removeProject(dir);
  }
});

test.run();
