// `create-pio-docker verify` end to end on the real engine: scaffold a fixture project with the real
// bin, verify it with the local Python stand-in base image and the PlatformIO TEST STAND-IN served
// from a local index, then break it on purpose and check that the right check fails and that
// nothing verify created is left behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_LABEL } from '../src/verify/sandbox.js';
import { BIN, removeProject, runCli, runCliAsync, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

interface VerifyReport {
  runId: string;
  ok: boolean;
  checks: { name: string; status: 'pass' | 'fail' | 'skip'; detail: string }[];
}

const { test, docker } = await engineSuite('verify (engine)');
let index: PipIndex;
let wheelDir: string;

test.before(async () => {
  wheelDir = mkdtempSync(join(tmpdir(), 'cpd-wheel-'));
  buildStandinWheel(wheelDir);
  index = await startPipIndex(wheelDir);
});

test.after(async () => {
  await index?.close();
  if (wheelDir) rmSync(wheelDir, { recursive: true, force: true });
});

function scaffold(): string {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  const r = runCli(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

async function verify(dir: string, ...extra: string[]): Promise<{ code: number; stderr: string; report: VerifyReport }> {
  const args = ['verify', '--build-arg', `BASE_IMAGE=${TEST_IMAGES.python}`, '--build-arg', `PIP_INDEX_URL=${index.url}`, '--network', 'host', '--json', '-', ...extra];
  const r = await runCliAsync(args, dir);
  let report: VerifyReport;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`verify printed no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, stderr: r.stderr, report };
}

/** Containers, volumes and images that still carry the run's label. */
async function leftovers(runId: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => `container ${c.Id.slice(0, 12)}`);
  const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`);
  const images = (await docker.listImages({ filters })).map((i) => `image ${i.RepoTags?.join(',') ?? i.Id}`);
  return [...containers, ...volumes, ...images];
}

const check = (r: VerifyReport, name: string) => r.checks.find((c) => c.name === name);
const describe = (r: VerifyReport) => r.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');

test('a fresh scaffold passes every check; a second run reuses the build cache; nothing is left behind', async () => {
  const dir = scaffold();
  try {
    const first = await verify(dir);
    assert.is(first.code, 0, `${describe(first.report)}\n${first.stderr.slice(-3000)}`);
    assert.ok(first.report.ok);
    const notPassed = first.report.checks.filter((c) => c.status !== 'pass');
    // The only thing not built is the intermediate tools stage, and the report says so.
    assert.equal(notPassed.map((c) => `${c.status} ${c.name}`), ['skip build: tools'], describe(first.report));
    for (const name of [
      'build: dev',
      'build: builder',
      'build: runner',
      'entrypoint: starts as root, runs the command as the user',
      'entrypoint: HOST_UID/HOST_GID own files in /workspace',
      'entrypoint: cache volume owned by the user, toolchain made executable',
      'cache: a marker written in run 1 is there in run 2',
      'pio --version as the user',
      'healthcheck reports healthy',
      'build entrypoint: help',
      'build entrypoint: list',
      'build entrypoint: build -e uno --output',
      'runner: refuses to start without RUNNER_URL/token',
      'compose: compose.build.yaml --profile esp32dev config',
      'compose: compose.runners.yaml --profile prod config',
    ]) {
      assert.is(check(first.report, name)?.status, 'pass', `${name} should pass:\n${describe(first.report)}`);
    }
    assert.match(check(first.report, 'pio --version as the user')!.detail, /test stand-in/);
    assert.equal(await leftovers(first.report.runId), []);

    const second = await verify(dir);
    assert.is(second.code, 0, describe(second.report));
    for (const target of ['dev', 'builder', 'runner']) {
      const [, steps, cached] = check(second.report, `build: ${target}`)!.detail.match(/^(\d+) steps, (\d+) CACHED/) ?? [];
      assert.ok(Number(cached) > 0 && Number(cached) === Number(steps), `second build of ${target} should be fully cached: ${check(second.report, `build: ${target}`)!.detail}`);
    }
    assert.match(second.stderr, /CACHED/);
    assert.equal(await leftovers(second.report.runId), []);
  } finally {
    removeProject(dir);
  }
});

test('an entrypoint that does not drop to the user fails the user check, exit 1, nothing left behind', async () => {
  const dir = scaffold();
  try {
    writeFileSync(join(dir, 'docker/entrypoint.sh'), '#!/bin/sh\n# broken on purpose by the test: no gosu drop\nexec "$@"\n');
    const r = await verify(dir, '--target', 'dev');
    assert.is(r.code, 1, describe(r.report));
    const user = check(r.report, 'entrypoint: starts as root, runs the command as the user')!;
    assert.is(user.status, 'fail', describe(r.report));
    assert.match(user.detail, /ran as root \(0\), expected builder \(1000\)/);
    // --target dev: the other targets are named as not built, with the reason
    assert.match(check(r.report, 'build: builder')!.detail, /not selected by --target/);
    assert.equal(await leftovers(r.report.runId), []);
  } finally {
    removeProject(dir);
  }
});

test('a failing Dockerfile step fails its build check with the log tail, exit 1, nothing left behind', async () => {
  const dir = scaffold();
  try {
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    const broken = dockerfile.replace(/^FROM dev AS builder\n/m, '$&RUN echo "verify-test: step about to fail" && exit 3\n');
    assert.is.not(broken, dockerfile, 'the builder stage was found');
    writeFileSync(join(dir, 'Dockerfile'), broken);
    const r = await verify(dir, '--target', 'builder');
    assert.is(r.code, 1, describe(r.report));
    const build = check(r.report, 'build: builder')!;
    assert.is(build.status, 'fail');
    assert.match(build.detail, /verify-test: step about to fail/);
    assert.match(build.detail, /exit 3|exit code: 3/);
    assert.equal(await leftovers(r.report.runId), []);
  } finally {
    removeProject(dir);
  }
});

test('Ctrl-C during the smoke checks: exit 130 and everything verify made is removed', async () => {
  const dir = scaffold();
  try {
    const args = ['verify', '--build-arg', `BASE_IMAGE=${TEST_IMAGES.python}`, '--build-arg', `PIP_INDEX_URL=${index.url}`, '--network', 'host', '--target', 'dev'];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      // The first smoke check has passed: containers and volumes of this run exist or did.
      if (!interrupted && /^PASS entrypoint: starts as root/m.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.ok(interrupted, `verify never reached the smoke checks:\n${stderr.slice(-2000)}`);
    assert.is(code, 130, stderr.slice(-2000));
    assert.match(stderr, /interrupted: cleaning up/);
    const runId = stderr.match(/^verify ([0-9a-f]+):/m)?.[1];
    assert.ok(runId, 'the run id is printed');
    assert.equal(await leftovers(runId!), []);
  } finally {
    removeProject(dir);
  }
});

test.run();

// Needs no engine: runs everywhere.
const noEngine = suite('verify without an engine');

noEngine('an unreachable engine is exit 2 with one clear message', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    const r = runCli(['verify'], dir, { DOCKER_HOST: 'unix:///nonexistent' });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /\/nonexistent/);
    assert.match(r.stderr, /DOCKER_HOST/);
    assert.is(r.stdout, '');
  } finally {
    removeProject(dir);
  }
});

noEngine.run();
