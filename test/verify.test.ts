// `create-pio-docker verify` end to end on the real engine: scaffold a fixture project with the real
// bin, verify it with the local Python stand-in base image and the PlatformIO TEST STAND-IN served
// from a local index, then break it on purpose and check that the right check fails and that
// nothing verify created is left behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_LABEL } from '../src/verify/sandbox.js';
import { BIN, removeProject, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { runVerifyJson, verifyLeftovers, type VerifyReport } from './helpers/verify-run.js';
import { buildStandinWheel } from './standin/wheel.js';

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

/**
 * Two embedded envs and a native one (between them, so that `all` has an env to build after the
 * one verify makes fail), a program the host g++ compiles and a unit test that passes.
 */
const FIXTURE_INI = `[platformio]
default_envs = uno

[env]
framework = arduino

[env:uno]
platform = atmelavr
board = uno

[env:native]
platform = native
framework =

[env:esp32dev]
platform = espressif32
board = esp32dev
`;
const FIXTURE = {
  'platformio.ini': FIXTURE_INI,
  'src/main.cpp': '#include <cstdio>\nint main() { std::puts("hello from native"); return 0; }\n',
  'test/test_basic/test_main.cpp': '#include <unity.h>\nvoid test_sum(void) { TEST_ASSERT_EQUAL(2, 1 + 1); }\nint main() { UNITY_BEGIN(); RUN_TEST(test_sum); return UNITY_END(); }\n',
};

function scaffold(): string {
  const dir = tempProject(FIXTURE);
  // With runners, so the runner image is built and checked too.
  const r = runCli(['--yes', '--runners', 'github'], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

function verify(dir: string, ...extra: string[]) {
  return runVerifyJson(['verify', '--build-arg', `BASE_IMAGE=${TEST_IMAGES.python}`, '--build-arg', `PIP_INDEX_URL=${index.url}`, '--network', 'host', '--json', '-', ...extra], dir);
}

const leftovers = (runId: string) => verifyLeftovers(docker, runId);
const check = (r: VerifyReport, name: string) => r.checks.find((c) => c.name === name);
const describe = (r: VerifyReport) => r.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');

test('a fresh scaffold passes every check; a second run reuses the build cache; nothing is left behind', async () => {
  const dir = scaffold();
  try {
    const first = await verify(dir);
    assert.is(first.code, 0, `${describe(first.report)}\n${first.stderr.slice(-3000)}`);
    assert.ok(first.report.ok);
    const notPassed = first.report.checks.filter((c) => c.status !== 'pass');
    // The only things not built are the intermediate tools stages (tools-secret: a build arg index
    // here), and the report says so.
    assert.equal(notPassed.map((c) => `${c.status} ${c.name}`), ['skip build: tools-base', 'skip build: tools-arg', 'skip build: tools-secret', 'skip build: tools'], describe(first.report));
    for (const name of [
      'build: dev',
      'build: builder',
      'build: runner',
      'entrypoint: starts as root, runs the command as the user',
      'entrypoint: HOST_UID/HOST_GID own files in /workspace',
      'entrypoint: cache volume owned by the user, toolchain made executable',
      'cache: a marker written in run 1 is there in run 2',
      'pio --version as the user',
      'healthcheck: runner reports healthy',
      'healthcheck: none in dev and builder (one-shot containers)',
      'build entrypoint: help',
      'build entrypoint: list',
      'build entrypoint: build -e uno --output',
      'files: owned by the workspace owner without HOST_UID',
      'native: build and test',
      'build: a failing env exits non-zero',
      'all: one failing env fails the run, the others still build',
      'stop: docker stop ends a build within 1 s',
      'hardened: caps dropped, no-new-privileges, read-only root',
      'exec: as-user runs as the workspace owner',
      'runner: refuses to start without RUNNER_URL/token',
      'compose: compose.build.yaml --profile esp32dev config',
      'compose: compose.runners.yaml --profile prod config',
    ]) {
      assert.is(check(first.report, name)?.status, 'pass', `${name} should pass:\n${describe(first.report)}`);
    }
    assert.match(check(first.report, 'pio --version as the user')!.detail, /test stand-in/);
    assert.match(check(first.report, 'files: owned by the workspace owner without HOST_UID')!.detail, /4242:4243|are \d+:\d+/);
    assert.match(check(first.report, 'native: build and test')!.detail, /\.pio\/build\/native\/program; pio test -e native exit 0/);
    assert.match(check(first.report, 'all: one failing env fails the run, the others still build')!.detail, /^native failed \(exit 1\); built: uno, esp32dev \(esp32dev after the failure\)/);
    assert.match(check(first.report, 'exec: as-user runs as the workspace owner')!.detail, /a plain docker exec runs as uid 0/);
    assert.equal(await leftovers(first.report.runId), []);

    const started = Date.now();
    const second = await verify(dir);
    const secondMs = Date.now() - started;
    assert.is(second.code, 0, describe(second.report));
    for (const target of ['dev', 'builder', 'runner']) {
      const [, steps, cached] = check(second.report, `build: ${target}`)!.detail.match(/^(\d+) steps, (\d+) CACHED/) ?? [];
      assert.ok(Number(cached) > 0 && Number(cached) === Number(steps), `second build of ${target} should be fully cached: ${check(second.report, `build: ${target}`)!.detail}`);
    }
    assert.match(second.stderr, /CACHED/);
    assert.equal(await leftovers(second.report.runId), []);
    console.log(`  warm verify (second run): ${(secondMs / 1000).toFixed(1)} s`);
  } finally {
    removeProject(dir);
  }
});

// The issue's acceptance fixtures: each real-repo layout passes every check.
const ACCEPTANCE: Record<string, { files: Record<string, string>; dirs?: string[]; runIn?: string }> = {
  // (a) a native env as the default env, (c) an env name with a space
  'native default env, an env name with a space': {
    files: {
      'platformio.ini': '[platformio]\ndefault_envs = native\n\n[env:native]\nplatform = native\n\n[env:esp32 debug]\nplatform = espressif32\nboard = esp32dev\nframework = arduino\n',
      'src/main.cpp': '#include <cstdio>\nint main() { std::puts("native default"); return 0; }\n',
      'test/test_basic/test_main.cpp': '#include <unity.h>\nvoid t(void) { TEST_ASSERT_EQUAL(4, 2 + 2); }\nint main() { UNITY_BEGIN(); RUN_TEST(t); return UNITY_END(); }\n',
    },
  },
  // (b) platformio.ini in a subfolder reaching outside it, scaffolded from the subfolder
  'platformio.ini in src/ with extra_scripts = pre:../scripts/x.py': {
    files: {
      'src/platformio.ini': '[platformio]\ndefault_envs = uno\n\n[env:uno]\nplatform = atmelavr\nboard = uno\nframework = arduino\nextra_scripts = pre:../scripts/x.py\n\n[env:native]\nplatform = native\n',
      'src/src/main.cpp': 'int main() { return 0; }\n',
      'scripts/x.py': 'Import("env")\n',
    },
    dirs: ['.git'],
    runIn: 'src',
  },
  // (d) 250 envs
  '250 envs': {
    files: {
      'platformio.ini': `[platformio]\ndefault_envs = board0\n\n[env]\nplatform = atmelavr\nboard = uno\nframework = arduino\n${Array.from({ length: 250 }, (_, i) => `\n[env:board${i}]\n`).join('')}`,
      'src/main.cpp': 'int main() { return 0; }\n',
    },
  },
};

for (const [name, fx] of Object.entries(ACCEPTANCE)) {
  test(`acceptance: ${name}: verify passes every check it runs`, async () => {
    const dir = tempProject(fx.files);
    try {
      for (const d of fx.dirs ?? []) mkdirSync(join(dir, d), { recursive: true });
      const r = runCli(['--yes'], join(dir, fx.runIn ?? '.'));
      assert.is(r.code, 0, r.stderr);
      const v = await verify(dir);
      assert.is(v.code, 0, `${describe(v.report)}\n${v.stderr.slice(-3000)}`);
      const failed = v.report.checks.filter((c) => c.status === 'fail');
      assert.equal(failed, []);
      for (const must of ['files: owned by the workspace owner without HOST_UID', 'stop: docker stop ends a build within 1 s', 'hardened: caps dropped, no-new-privileges, read-only root']) {
        assert.is(check(v.report, must)?.status, 'pass', `${must}:\n${describe(v.report)}`);
      }
      assert.equal(await leftovers(v.report.runId), []);
    } finally {
      removeProject(dir);
    }
  });
}

test('stand-in build stop: docker stop ends a real `build -e uno` mid-compile within 1 s, exit 143 (kept builder image)', async () => {
  const dir = scaffold();
  let runId: string | undefined;
  try {
    const r = await verify(dir, '--target', 'builder', '--keep');
    runId = r.report.runId;
    assert.is(check(r.report, 'build: builder')?.status, 'pass', describe(r.report));
    const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
    const image = (await docker.listImages({ filters })).flatMap((i) => i.RepoTags ?? []).find((t) => t.includes(':builder-'));
    assert.ok(image, 'the kept builder image');
    // As `docker compose run --rm uno` runs it (compose.build.yaml), with the stand-in sleeping mid-build.
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['build', '-e', 'uno'],
      Env: ['PIO_STANDIN_SLEEP=30', 'HOST_UID=', 'HOST_GID='],
      Labels: { [RUN_LABEL]: runId },
      HostConfig: { Binds: [`${dir}:/workspace`], NetworkMode: 'none', Init: true, CapDrop: ['ALL'], CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID'], SecurityOpt: ['no-new-privileges:true'] },
    });
    await container.start();
    const deadline = Date.now() + 60_000;
    let logs = '';
    while (Date.now() < deadline && !/sleeping 30 s/.test(logs)) {
      await new Promise((res) => setTimeout(res, 100));
      logs = String(await container.logs({ stdout: true, stderr: true }));
    }
    assert.match(logs, /sleeping 30 s/, 'the build reached its compile step');
    const t0 = Date.now();
    await container.stop({ t: 10 });
    const ms = Date.now() - t0;
    const code = (await container.inspect()).State.ExitCode;
    assert.is(code, 143, `exit code after docker stop (${ms} ms)`);
    assert.ok(ms <= 1000, `docker stop took ${ms} ms`);
  } finally {
    if (runId) {
      const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
      for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true });
      for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove();
      for (const i of await docker.listImages({ filters })) for (const t of i.RepoTags ?? []) await docker.getImage(t).remove();
      assert.equal(await leftovers(runId), []);
    }
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

/** Replaces `from` in the project file `path`, asserting that it was there. */
function edit(dir: string, path: string, from: string | RegExp, to: string): void {
  const text = readFileSync(join(dir, path), 'utf8');
  const changed = text.replace(from, to);
  assert.is.not(changed, text, `${path}: ${from} was found`);
  writeFileSync(join(dir, path), changed);
}

const IDS = process.getuid?.() === 0 ? '4242:4243' : `${process.getuid?.()}:${process.getgid?.()}`;

test('old image behaviour (no tini, an entrypoint that writes to /etc, no g++): stop, hardened and native fail', async () => {
  const dir = scaffold();
  try {
    // No init: the command becomes PID 1 and ignores SIGTERM.
    edit(dir, 'Dockerfile', /"\/usr\/bin\/tini", "-s", "-g", "--", /g, '');
    // Like the gosu/usermod entrypoints: edits /etc as root, which a read-only root refuses.
    edit(dir, 'docker/entrypoint.sh', /^set -euo pipefail\n/m, '$&if ((EUID == 0)); then touch /etc/cpd-verify-old-entrypoint; fi  # broken on purpose by the test\n');
    // Native envs without a host compiler.
    edit(dir, 'Dockerfile', /^FROM dev AS builder\n/m, '$&RUN rm -f /usr/bin/*g++*\n');
    const r = await verify(dir, '--target', 'builder');
    assert.is(r.code, 1, describe(r.report));
    const stop = check(r.report, 'stop: docker stop ends a build within 1 s')!;
    assert.is(stop.status, 'fail', describe(r.report));
    assert.match(stop.detail, /exit 137/);
    const hardened = check(r.report, 'hardened: caps dropped, no-new-privileges, read-only root')!;
    assert.is(hardened.status, 'fail', describe(r.report));
    assert.match(hardened.detail, /Read-only file system/);
    const native = check(r.report, 'native: build and test')!;
    assert.is(native.status, 'fail', describe(r.report));
    assert.match(native.detail, /g\+\+: not found/);
    // What was not broken still passes.
    assert.is(check(r.report, 'files: owned by the workspace owner without HOST_UID')!.status, 'pass', describe(r.report));
    assert.is(check(r.report, 'exec: as-user runs as the workspace owner')!.status, 'pass', describe(r.report));
    assert.equal(await leftovers(r.report.runId), []);
  } finally {
    removeProject(dir);
  }
});

test('an entrypoint that ignores the workspace owner (old behaviour): files and exec fail', async () => {
  const dir = scaffold();
  try {
    edit(dir, 'docker/entrypoint.sh', 'def_uid=${ws%:*} def_gid=${ws#*:} from="the owner of $d"', 'from="the owner of $d"  # broken on purpose by the test: keeps the image user');
    const r = await verify(dir, '--target', 'builder');
    assert.is(r.code, 1, describe(r.report));
    const files = check(r.report, 'files: owned by the workspace owner without HOST_UID')!;
    assert.is(files.status, 'fail', describe(r.report));
    const exec = check(r.report, 'exec: as-user runs as the workspace owner')!;
    assert.is(exec.status, 'fail', describe(r.report));
    if (IDS !== '1000:1000') assert.match(exec.detail, new RegExp(`as-user ran as 1000:1000, not as the workspace owner ${IDS}`));
    assert.is(check(r.report, 'stop: docker stop ends a build within 1 s')!.status, 'pass', describe(r.report));
    assert.equal(await leftovers(r.report.runId), []);
  } finally {
    removeProject(dir);
  }
});

test('a build script that hides a failed build, an `all` that stops at the first failure, a HEALTHCHECK in the builder: those checks fail', async () => {
  const dir = scaffold();
  try {
    edit(dir, 'docker/pio-build.sh', 'exec pio run -e "${envs[0]}" "${verbose[@]}"', 'pio run -e "${envs[0]}" "${verbose[@]}" || true; exit 0  # broken on purpose by the test');
    edit(dir, 'docker/pio-build.sh', /KEEP_GOING=1\n(\s*)cmd_build --all/, 'KEEP_GOING=0  # broken on purpose by the test\n$1cmd_build --all');
    edit(dir, 'Dockerfile', /^FROM dev AS builder\n/m, '$&HEALTHCHECK CMD true\n');
    const r = await verify(dir, '--target', 'builder');
    assert.is(r.code, 1, describe(r.report));
    const failing = check(r.report, 'build: a failing env exits non-zero')!;
    assert.is(failing.status, 'fail', describe(r.report));
    assert.match(failing.detail, /exited 0/);
    const all = check(r.report, 'all: one failing env fails the run, the others still build')!;
    assert.is(all.status, 'fail', describe(r.report));
    assert.match(all.detail, /not built: esp32dev/);
    const health = check(r.report, 'healthcheck: none in dev and builder (one-shot containers)')!;
    assert.is(health.status, 'fail', describe(r.report));
    assert.match(health.detail, /builder/);
    assert.is(check(r.report, 'healthcheck: runner reports healthy')!.status, 'skip');
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

noEngine('an index URL with a user or token: one note that it goes in as a build argument of verify\'s own images; the secret is never printed', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    for (const arg of ['PIP_INDEX_URL=http://u:SECRET@127.0.0.1:1/simple', 'PIP_EXTRA_INDEX_URL=https://SECRET@pypi.example.com/simple']) {
      const r = runCli(['verify', '--build-arg', arg, '--json', '-'], dir, { DOCKER_HOST: 'unix:///nonexistent' });
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /^note: PIP_(EXTRA_)?INDEX_URL holds a user or token: verify passes it as a build argument of its own images, removed at the end/m);
      assert.not.match(r.stdout + r.stderr, /SECRET/);
    }
  } finally {
    removeProject(dir);
  }
});

noEngine.run();
