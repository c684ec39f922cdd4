// The python-wheels preset on the real engine, with local stand-ins (no registry, no PyPI):
// - a manylinux stand-in base made from Debian (cpd-test/python:bookworm + gcc, python3-dev,
//   patchelf; /opt/python/cp311-cp311/bin/python -> Debian's python3.11) with an `auditwheel` TEST
//   STAND-IN that checks the wheel (a zip with a compiled .so, tagged linux_x86_64) and renames it
//   to manylinux_2_28_x86_64;
// - a local index on 127.0.0.1 serving Debian's setuptools and wheel as wheels: pip builds with
//   build isolation, as it does against PyPI, so the first build downloads its build dependencies
//   and the second must take them from the pip cache volume;
// - a clean test image stand-in for python:3.11-slim (Debian's python3 as `python`, pip allowed).
// Builds run as the checkout's owner (uid 4242, a root-owned checkout: root) through the
// root-start entrypoint; `verify` passes on the scaffolded fixture and fails the import check on a
// copy whose extension cannot load. Names carry `cpd-h2py-` and a random suffix.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { engineSuite } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildPythonStandins, debianBuildWheels } from './helpers/python-standins.js';
import { ok, runAsync } from './helpers/run-async.js';
import { ROOT, runCli, runCliAsync } from './helpers/cli.js';

const id = randomBytes(3).toString('hex');
const base = `cpd-h2py-manylinux-standin-${id}:latest`;
const testRepo = `cpd-h2py-python-standin-${id}`;
const image = `cpd-h2py-fastsum-${id}`;
const project = `h2py-fastsum-${id}`;

const { test } = await engineSuite('python-wheels preset on the engine');

// 900 s: a cold manylinux stand-in build and a first wheel build take minutes.
const sh = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) => runAsync(cmd, args, { ...opts, timeoutMs: 900_000 });

let work = '';
let index: PipIndex | undefined;
/** What local-ci.sh and verify need to reach the local index (pip caches an http index it trusts). */
const pipEnv = () => ({ PIP_INDEX_URL: index!.url, PIP_TRUSTED_HOST: '127.0.0.1' });

test.before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cpd-h2py-'));
  index = await startPipIndex(debianBuildWheels());
  await buildPythonStandins(work, { manylinux: base, slimRepo: testRepo });
});

test.after(async () => {
  await index?.close();
  await sh('docker', ['image', 'rm', '-f', `${image}:builder`, base, `${testRepo}:3.11-slim`]);
  await sh('docker', ['volume', 'rm', '-f', `${project}-pip-cache`]);
  rmSync(work, { recursive: true, force: true });
});

/** The fixture scaffolded in a new folder under `work`. */
function scaffold(name: string): string {
  const dir = join(work, name, project);
  cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'python-wheels'), dir, { recursive: true });
  const r = runCli([dir, '--yes', '--python-versions', '3.11', '--image', image, '--base-image', base], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

const owners = (dir: string) => readdirSync(dir).map((f) => `${f} ${statSync(join(dir, f)).uid}:${statSync(join(dir, f)).gid}`);

test('python-wheels: local-ci.sh test in a checkout of uid 4242 builds as 4242, installs, imports and calls; build-docker is skipped when unchanged', async () => {
  const dir = scaffold('uid4242');
  spawnSync('chown', ['-R', '4242:4243', dir]);
  const env = { TEST_IMAGE_REPO: testRepo, DOCKER_NETWORK: 'host', ...pipEnv() };
  const help = await sh('docker', ['run', '--rm', `${image}:builder`, 'help']);
  const r = await sh(join(dir, 'scripts', 'local-ci.sh'), ['test'], { env });
  ok(r, 'local-ci.sh test');
  assert.match(r.stdout, /==> all wheels install and import/);
  assert.equal(readdirSync(join(dir, 'dist')), ['fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl']);
  // Built as the checkout's owner: the wheels and dist/ are 4242's, and so is pip's cache volume.
  assert.equal([`dist ${statSync(join(dir, 'dist')).uid}:${statSync(join(dir, 'dist')).gid}`, ...owners(join(dir, 'dist'))], ['dist 4242:4243', 'fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl 4242:4243']);
  const inCache = async (find: string) => {
    const r = await sh('docker', ['run', '--rm', '--entrypoint', 'sh', '-v', `${project}-pip-cache:/c`, `${image}:builder`, '-c', find]);
    ok(r, find);
    return r.stdout.trim();
  };
  // (The entrypoint's stamp stays root's.)
  assert.is(await inCache('find /c ! -name .create-pio-docker-owner ! -user 4242'), '', "not 4242's in the pip cache");
  assert.ok(Number(await inCache('find /c -type f ! -name .create-pio-docker-owner | wc -l')) > 0, 'pip cached the build dependencies');
  // The wheel works: its compiled function, called in a clean container.
  const call = await sh('docker', ['run', '--rm', '-v', `${join(dir, 'dist')}:/dist:ro`, `${testRepo}:3.11-slim`, 'sh', '-ec', 'python -m pip install -q --no-cache-dir /dist/*.whl && cd /tmp && python -c "import fastsum; print(fastsum.total([1, 2, 39]))"']);
  ok(call, 'call fastsum.total');
  assert.is(call.stdout.trim().split('\n').pop(), '42');
  // `help` needs no mounts (the image exists now).
  ok(await sh('docker', ['run', '--rm', `${image}:builder`, 'help']), 'help without mounts');
  assert.not.ok(help.status === 0, 'the image did not exist before build-docker');
  // Nothing changed: build-docker does not build.
  const again = await sh(join(dir, 'scripts', 'local-ci.sh'), ['build-docker'], { env });
  ok(again, 'build-docker again');
  assert.match(again.stdout, /is up to date/);
  // The sources in the checkout stay clean: setuptools built in a copy.
  assert.equal([...readdirSync(dir), ...readdirSync(join(dir, 'src'))].filter((f) => f === 'build' || f.endsWith('.egg-info')), []);
});

test('python-wheels: a root-owned checkout builds as root (rootless Docker, Podman)', async () => {
  const dir = scaffold('root');
  const r = await sh('docker', ['run', '--rm', '--init', '--network', 'host', '-e', `PIP_INDEX_URL=${index!.url}`, '-e', 'PIP_TRUSTED_HOST=127.0.0.1', '-v', `${dir}:/build`, '-w', '/build', '-v', `${project}-pip-cache:/home/builder/.cache/pip`, `${image}:builder`, 'wheels']);
  ok(r, 'wheels in a root-owned checkout');
  assert.equal(owners(join(dir, 'dist')), ['fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl 0:0']);
});

test('python-wheels: verify passes every check on the scaffolded fixture', async () => {
  const dir = scaffold('verify');
  const r = await runCliAsync(['verify', dir, '--build-arg', `BASE_IMAGE=${base}`, '--network', 'host', '--json', '-'], dir, { TEST_IMAGE_REPO: testRepo, ...pipEnv() });
  const report = JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string }[] };
  const ours = report.checks.filter((c) => /^(help|wheels|output|cache|stop):/.test(c.name));
  assert.equal(ours.map((c) => `${c.name}: ${c.status}`), [
    'help: works without mounts: pass',
    'wheels: built for cp311: pass',
    'wheels: repaired (manylinux tag): pass',
    'output: owned by the checkout owner: pass',
    'wheels: cp311 installs and imports in a clean container: pass',
    'cache: second build downloads no pip package: pass',
    'stop: docker stop ends the running command at once (exit 143): pass',
  ], r.stderr);
  // As compose runs the wheels service: docker's init and the hardening, as the checkout's owner.
  assert.match(ours.find((c) => c.name.startsWith('stop:'))!.detail, /as 4242:4243 with the hardening of compose\.build\.yaml: exit 143 in \d+ ms/);
  assert.is(r.code, 0, r.stderr);
  assert.match(ours.find((c) => c.name.startsWith('cache:'))!.detail, /setuptools-.*, wheel-/);
  // It says where pip's index settings came from (names only).
  assert.match(ours[1].detail, /PIP_INDEX_URL from the environment, PIP_TRUSTED_HOST from the environment/);
});

test('python-wheels: verify fails the import check of an extension that cannot load, and only that', async () => {
  const dir = scaffold('broken');
  const core = join(dir, 'src', 'fastsum', '_core.c');
  // Compiles and links (a shared object may leave symbols undefined), fails when Python loads it.
  writeFileSync(core, readFileSync(core, 'utf8').replace('PyMODINIT_FUNC PyInit__core(void) {', 'extern int cpd_missing_symbol(void);\nPyMODINIT_FUNC PyInit__core(void) {\n    cpd_missing_symbol();'));
  const r = await runCliAsync(['verify', dir, '--build-arg', `BASE_IMAGE=${base}`, '--build-arg', `PIP_INDEX_URL=${index!.url}`, '--build-arg', 'PIP_TRUSTED_HOST=127.0.0.1', '--network', 'host', '--json', '-'], dir, { TEST_IMAGE_REPO: testRepo });
  assert.is(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string }[] };
  const failed = report.checks.filter((c) => c.status === 'fail');
  assert.equal(failed.map((c) => c.name), ['wheels: cp311 installs and imports in a clean container']);
  assert.match(failed[0].detail, /undefined symbol: cpd_missing_symbol/);
  assert.is(report.checks.find((c) => c.name === 'wheels: built for cp311')?.status, 'pass');
});

test.run();
