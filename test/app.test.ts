// The scaffold as users run it: the real bin, in temp folders, without a terminal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState, removeProject, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { ANSWER_FLAGS, SCAFFOLD_SWITCHES } from '../src/cli/flags.js';

const EXPECTED_FILES = [
  'Dockerfile',
  '.dockerignore',
  'docker/entrypoint.sh',
  'docker/pio-build.sh',
  'compose.images.yaml',
  'compose.build.yaml',
  'scripts/build-docker.sh',
  'scripts/local-ci.sh',
  'scripts/test-persistent-volumes.sh',
  '.github/workflows/docker-build.yml',
  '.devcontainer/devcontainer.json',
  'docs/DOCKER.md',
  '.create-pio-docker.json',
];

test('--yes writes every artifact, scripts executable, answers stored, default env first', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    for (const f of EXPECTED_FILES) assert.ok(existsSync(join(dir, f)), `missing ${f}`);
    const files = snapshot(dir);
    // One state file, no mirror of the generated files, no Yeoman answers file.
    assert.equal([...files.keys()].sort(), [...EXPECTED_FILES, 'platformio.ini'].sort());
    const stored = readState(dir);
    for (const f of EXPECTED_FILES.filter((f) => f !== '.create-pio-docker.json')) {
      assert.is(stored.generated.sha256[f], createHash('sha256').update(files.get(f)!.content).digest('hex'), `hash of ${f}`);
    }
    for (const [path, { mode }] of files) {
      if (path.endsWith('.sh')) assert.is(mode & 0o777, 0o755, `${path} should be executable`);
      else assert.is(mode & 0o777, 0o644, `${path} should not be executable`);
    }
    assert.equal(stored.answers.envs.map((e: { name: string }) => e.name), ['uno', 'esp32dev']);
    assert.is(stored.answers.envs[1].board, 'esp32dev');
    assert.is(stored.answers.projectName, 'demo-fw');
    assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /ARG TARGET_BOARD=uno\n/);
  } finally {
    removeProject(dir);
  }
});

test('running again with the same answers changes no byte', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes', '--tools', 'cppcheck', '--runners', 'none'], dir).code, 0);
    const before = snapshot(dir);
    const r = runCli([], dir); // stored answers answer everything: no --yes, no terminal needed
    assert.is(r.code, 0, r.stderr);
    assert.equal(snapshot(dir), before);
    assert.not.ok(existsSync(join(dir, 'compose.runners.yaml')));
  } finally {
    removeProject(dir);
  }
});

test('without a terminal and without --yes a missing answer names its flag, exit 2, nothing written', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const r = runCli(['--envs', 'uno'], dir);
    assert.is(r.code, 2);
    assert.match(r.stderr, /missing answers: --base-image, --platformio-version/);
    assert.match(r.stderr, /--yes/);
    assert.equal([...snapshot(dir).keys()], ['platformio.ini']);
  } finally {
    removeProject(dir);
  }
});

test('flags answer prompts: --envs with a board, runners, registry, platforms', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const r = runCli(['--yes', '--envs', 'esp32dev', '--runners', 'github', '--dev-runners', '0', '--prod-runners', '3', '--registry', 'ghcr.io/acme', '--image', 'fw/build', '--platforms', 'linux/amd64,linux/arm64', '--ci', 'none'], dir);
    assert.is(r.code, 0, r.stderr);
    const stored = readState(dir).answers;
    assert.equal(stored.envs, [{ name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' }]);
    assert.equal(stored.runners, { kind: 'github', dev: 0, prod: 3, labels: [] });
    assert.equal(stored.image, { name: 'fw/build', registry: 'ghcr.io/acme' });
    assert.not.ok(existsSync(join(dir, '.github/workflows/docker-build.yml')));
    assert.match(readFileSync(join(dir, 'compose.images.yaml'), 'utf8'), /ghcr\.io\/acme\/fw\/build:builder/);
  } finally {
    removeProject(dir);
  }
});

test('bad flag values are usage errors naming the flag (exit 2)', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    for (const [args, re] of [
      [['--yes', '--uid', 'abc'], /--uid takes a whole number/],
      [['--yes', '--runners', 'gitlab'], /--runners takes github or none/],
      [['--yes', '--envs', 'nope'], /--envs names envs that platformio.ini does not define: nope/],
      [['--yes', '--user', 'root'], /invalid user name "root".*--user/],
      [['--yes', '--bogus'], /Unknown option '--bogus'/],
      // an image nobody can push: ghcr.io and Docker Hub need an owner
      [['--yes', '--registry', 'ghcr.io'], /ghcr\.io needs an owner: --registry ghcr\.io\/OWNER, or --image OWNER\//],
      [['--yes', '--registry', 'docker.io', '--image', 'fw'], /docker\.io needs an owner/],
      // runner scale sets of no runners
      [['--yes', '--arc', 'yes'], /--arc yes writes runner scale sets for the self-hosted runners: add --runners github/],
    ] as const) {
      const r = runCli([...args], dir);
      assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    assert.equal([...snapshot(dir).keys()], ['platformio.ini']);
  } finally {
    removeProject(dir);
  }
});

test('existing files that differ: exit 1 listing them, nothing written; --force overwrites', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI, Dockerfile: 'FROM scratch\n', 'docs/DOCKER.md': '# ours\n' });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^Nothing was written/);
    assert.match(r.stderr, /IN THE WAY +Dockerfile exists, differs/);
    assert.match(r.stderr, /IN THE WAY +docs\/DOCKER\.md exists, differs/);
    assert.match(r.stderr, /--force/);
    assert.equal([...snapshot(dir).keys()].sort(), ['Dockerfile', 'docs/DOCKER.md', 'platformio.ini']);
    assert.is(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'FROM scratch\n');

    const forced = runCli(['--yes', '--force'], dir);
    assert.is(forced.code, 0, forced.stderr);
    assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /AS builder/);
  } finally {
    removeProject(dir);
  }
});

test('a changed answer on an edited tree merges: the edit stays and the answer arrives (as update)', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    writeFileSync(join(dir, 'Dockerfile'), readFileSync(join(dir, 'Dockerfile'), 'utf8') + '# team edit\n');
    const r = runCli(['--base-image', 'debian:bookworm'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /merged +Dockerfile/);
    const text = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    assert.match(text, /# team edit\n$/);
    assert.match(text, /ARG BASE_IMAGE=debian:bookworm\n/);
  } finally {
    removeProject(dir);
  }
});

test('a changed answer on an untouched generated tree rewrites it without --force', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    const r = runCli(['--base-image', 'debian:bookworm'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /ARG BASE_IMAGE=debian:bookworm\n/);
    assert.is(readState(dir).answers.baseImage, 'debian:bookworm');
  } finally {
    removeProject(dir);
  }
});

test('no platformio.ini: says so; --envs NAME[:BOARD] proceeds', () => {
  const dir = tempProject({ 'README.md': 'x\n' });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 2);
    assert.match(r.stderr, /no platformio\.ini found: pass --envs NAME\[:BOARD\]/);
    assert.match(r.stderr, /or --preset go-deb for a Go module/, 'another kind of project is named');
    const ok = runCli(['--yes', '--envs', 'pico:rpipico,native'], dir);
    assert.is(ok.code, 0, ok.stderr);
    const stored = readState(dir).answers;
    assert.equal(stored.envs, [{ name: 'pico', board: 'rpipico', platform: null }, { name: 'native', board: null, platform: null }]);
  } finally {
    removeProject(dir);
  }
});

test('malformed platformio.ini: file and line, exit 2, nothing written', () => {
  const dir = tempProject({ 'platformio.ini': '[env:uno]\nboard = uno\n[env:broken\nboard = x\n' });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 2);
    assert.match(r.stderr, /platformio\.ini:3/);
    assert.equal([...snapshot(dir).keys()], ['platformio.ini']);
  } finally {
    removeProject(dir);
  }
});

test('--help lists every flag and command; --version prints the package version', () => {
  const r = runCli(['--help'], process.cwd());
  assert.is(r.code, 0);
  for (const f of [...ANSWER_FLAGS, ...SCAFFOLD_SWITCHES]) assert.ok(r.stdout.includes(`--${f.name}`), `--help lacks --${f.name}`);
  assert.match(r.stdout, /envs \[DIR\]/);
  const v = runCli(['--version'], process.cwd());
  assert.is(v.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
});

test.run();
