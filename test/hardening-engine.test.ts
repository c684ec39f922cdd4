// `docker stop` of a build started with the generated compose.build.yaml, as its hardening runs it
// (every capability dropped but the entrypoint's and the init's, no new privileges), in a checkout
// owned by uid 4242: the init must pass SIGTERM on to the build, which runs as 4242, so its TERM
// trap runs and the container exits 143 within 1 s. The same file without KILL (0.2.0's) must fail
// this very test: the init may not signal another uid's process. The builder image is built with the
// Python stand-in base image and the PlatformIO TEST STAND-IN from a local index (as runtime.test.ts).
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../src/engine/build.js';
import { FILES } from '../src/core/paths.js';
import { runCli, tempProject } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const { test, docker } = await engineSuite('hardening: docker stop through compose (engine)');

const NAME = `cpd-hard-${process.pid}`;
const LABEL = 'cpd-test-hardening';
const OWNER = { uid: 4242, gid: 4243 };
const MARKER = '.cpd-term-trap';
let index: PipIndex | undefined;
let wheels: string | undefined;
let dir: string;
let image: string;

function sh(cmd: string, args: string[], cwd?: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
const compose = (...args: string[]) => sh('docker', ['compose', '-p', NAME, '-f', FILES.composeBuild, ...args], dir);

test.before(async () => {
  wheels = mkdtempSync(join(tmpdir(), 'cpd-hard-wheel-'));
  buildStandinWheel(wheels);
  index = await startPipIndex(wheels);
  dir = tempProject({ 'platformio.ini': '[env:uno]\nplatform = atmelavr\nboard = uno\nframework = arduino\n', 'src/main.cpp': 'int main() { return 0; }\n' }, NAME);
  const r = runCli(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  const cfg = compose('--profile', 'build', 'config', '--format', 'json');
  assert.is(cfg.code, 0, cfg.out);
  image = JSON.parse(cfg.stdout).services.build.image;
  await buildImage({ docker, contextDir: dir, target: 'builder', tag: image, buildargs: { BASE_IMAGE: TEST_IMAGES.python, PIP_INDEX_URL: index.url }, networkmode: 'host', labels: { [LABEL]: NAME }, nocache: false, timeoutMs: 600_000 });
  // The checkout belongs to someone else than root and the image user (1000): the build runs as 4242.
  chmodSync(join(dir, '..'), 0o755);
  sh('chown', ['-R', `${OWNER.uid}:${OWNER.gid}`, dir]);
});

test.after(async () => {
  await index?.close();
  if (dir) {
    compose('--profile', 'build', 'down', '--volumes');
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  if (wheels) rmSync(wheels, { recursive: true, force: true });
  for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${NAME}`] }) })) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
  await docker.getVolume(`${NAME}-platformio`).remove({ force: true }).catch(() => {});
  if (image) await docker.getImage(image).remove({ force: true }).catch(() => {});
});

/** A "build" with a TERM trap that leaves a marker in the checkout, started with `compose run -d build`. */
const BUILD = `trap 'echo "trapped as $(id -u)" > ${MARKER}; exit 143' TERM; echo ready; sleep 30 & wait`;

/** Starts the build service detached, waits until the build runs, stops it: ms, exit code, marker, logs. */
async function stopComposeBuild(container: string): Promise<{ ms: number; code: number; marker: string | null; logs: string }> {
  rmSync(join(dir, MARKER), { force: true });
  const started = compose('run', '-d', '--name', container, 'build', 'sh', '-c', BUILD);
  assert.is(started.code, 0, started.out);
  const c = docker.getContainer(container);
  try {
    const deadline = Date.now() + 60_000;
    let logs = '';
    while (Date.now() < deadline && !/ready/.test(logs)) {
      await new Promise((r) => setTimeout(r, 100));
      logs = String(await c.logs({ stdout: true, stderr: true }));
    }
    assert.match(logs, /ready/, `the build never started:\n${logs}`);
    const t0 = Date.now();
    await c.stop({ t: 10 });
    const ms = Date.now() - t0;
    const code = (await c.inspect()).State.ExitCode;
    const path = join(dir, MARKER);
    return { ms, code, marker: existsSync(path) ? readFileSync(path, 'utf8').trim() : null, logs: String(await c.logs({ stdout: true, stderr: true })) };
  } finally {
    await c.remove({ force: true, v: true }).catch(() => {});
  }
}

test('compose run build, checkout of uid 4242: docker stop runs the build\'s TERM trap, exit 143 within 1 s', async () => {
  const text = readFileSync(join(dir, FILES.composeBuild), 'utf8');
  assert.match(text, /^ {2}cap_add: \[CHOWN, DAC_OVERRIDE, SETUID, SETGID, KILL\]$/m);
  const r = await stopComposeBuild(`${NAME}-stop`);
  assert.is(r.code, 143, `exit code (${r.ms} ms):\n${r.logs}`);
  assert.is(r.marker, `trapped as ${OWNER.uid}`, `the TERM trap ran, as the checkout's owner:\n${r.logs}`);
  assert.ok(r.ms <= 1000, `docker stop took ${r.ms} ms`);
  assert.not.match(r.logs, /FATAL|Operation not permitted/);
  console.log(`  compose run build, hardened, as ${OWNER.uid}: docker stop -> exit ${r.code} in ${r.ms} ms`);
});

test('the same with 0.2.0\'s capabilities (no KILL): the init cannot pass SIGTERM on, no trap, no 143 (the test above can fail)', async () => {
  const path = join(dir, FILES.composeBuild);
  const text = readFileSync(path, 'utf8');
  const old = text.replace('cap_add: [CHOWN, DAC_OVERRIDE, SETUID, SETGID, KILL]', 'cap_add: [CHOWN, DAC_OVERRIDE, SETUID, SETGID]');
  assert.is.not(old, text);
  writeFileSync(path, old);
  chownSync(path, OWNER.uid, OWNER.gid);
  try {
    const r = await stopComposeBuild(`${NAME}-old`);
    assert.is(r.marker, null, `no TERM trap without KILL:\n${r.logs}`);
    assert.is.not(r.code, 143, r.logs);
    assert.match(r.logs, /Operation not permitted/);
    console.log(`  without KILL: docker stop -> exit ${r.code} in ${r.ms} ms, no trap (${r.logs.trim().split('\n').pop()?.replace(/^[^\[]*/, '')})`);
  } finally {
    writeFileSync(path, text);
    chownSync(path, OWNER.uid, OWNER.gid);
  }
});

test.run();
