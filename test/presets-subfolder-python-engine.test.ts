// python-wheels with the package in python/ of a git repository, on the engine: scaffolded at the
// repository root, then what docs/DOCKER.md tells a newcomer to run, from the root: `scripts/local-ci.sh
// test` (the builder image, the wheels built in python/ as the checkout's owner, each installed and
// imported in a clean container); the wheel lands in python/dist/, nothing in the root's dist/. Then
// `create-pio-docker verify`, run inside python/, passes every python-wheels check. Stand-ins as in
// test/presets-python-engine.test.ts (a manylinux base made from Debian with an auditwheel TEST
// STAND-IN, a local index on 127.0.0.1, a python:3.11-slim stand-in). Names carry `cpd-h4sub-`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { engineSuite, SETUP_HINT, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex } from './helpers/pip-index.js';
import { ROOT, runCli, runCliAsync } from './helpers/cli.js';

const id = randomBytes(3).toString('hex');
const name = `cpd-h4sub-py-${id}`;
const base = `cpd-h4sub-manylinux-standin-${id}:latest`;
const testRepo = `cpd-h4sub-python-standin-${id}`;
const image = `${name}-wheels`;

const { test } = await engineSuite('python-wheels in a subfolder (engine)');

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}
// Asynchronous: the local index answers from this process's event loop while commands run.
const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ status: null, stdout, stderr: `${stderr}${e.message}` }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
const ok = (r: Ran, what: string) => assert.is(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);

// The same stand-ins as test/presets-python-engine.test.ts.
// auditwheel TEST STAND-IN: strict where the real one is (a wheel that is no zip, has no compiled
// module or is not linux_x86_64 fails); repairing is only a rename (nothing to vendor on Debian).
const AUDITWHEEL_STANDIN = `#!/usr/bin/python3
"""auditwheel TEST STAND-IN (create-pio-docker tests): checks and renames, vendors nothing."""
import os, shutil, sys, zipfile
args = sys.argv[1:]
if len(args) != 4 or args[0] != "repair" or args[2] != "-w":
    sys.exit("auditwheel stand-in: usage: auditwheel repair WHEEL -w DIR")
wheel, out = args[1], args[3]
name = os.path.basename(wheel)
if not name.endswith("-linux_x86_64.whl"):
    sys.exit(f"auditwheel stand-in: {name} is not a linux_x86_64 wheel")
with zipfile.ZipFile(wheel) as z:
    if not any(n.endswith(".so") for n in z.namelist()):
        sys.exit(f"auditwheel stand-in: {name} has no compiled module")
os.makedirs(out, exist_ok=True)
shutil.copy(wheel, os.path.join(out, name.replace("-linux_x86_64.whl", "-manylinux_2_28_x86_64.whl")))
`;

const BASE_DOCKERFILE = `FROM ${TEST_IMAGES.python}
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev python3-dev patchelf && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/python/cp311-cp311/bin && ln -s /usr/bin/python3.11 /opt/python/cp311-cp311/bin/python
COPY auditwheel /usr/local/bin/auditwheel
`;

const TEST_DOCKERFILE = `FROM ${TEST_IMAGES.python}
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -s /usr/bin/python3 /usr/local/bin/python
`;

/** Debian's setuptools and wheel wheels (python3-setuptools-whl, python3-wheel-whl). */
const DEBIAN_WHEELS = '/usr/share/python-wheels';
const buildDeps = () => {
  const found = existsSync(DEBIAN_WHEELS) ? readdirSync(DEBIAN_WHEELS).filter((f) => /^(setuptools|wheel)-.*\.whl$/.test(f)) : [];
  if (found.length !== 2) throw new Error(`setuptools and wheel wheels missing in ${DEBIAN_WHEELS} (${SETUP_HINT})`);
  return found.map((f) => join(DEBIAN_WHEELS, f));
};

/** The shell lines of the docs' first ```sh block. */
const docLines = (docs: string) => /```sh\n([\s\S]*?)```/.exec(docs)![1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
const owner = (p: string) => `${statSync(p).uid}:${statSync(p).gid}`;

test('python-wheels, the package in python/: local-ci.sh test (as the docs say) builds python/dist/ as the checkout owner, and verify passes', async () => {
  if (process.getuid?.() !== 0) {
    console.log('python-wheels subfolder engine test skipped: it gives the checkout to uid 4242, which needs root');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'cpd-h4sub-'));
  const index = await startPipIndex(buildDeps());
  const dir = join(work, name);
  try {
    mkdirSync(join(work, 'base'));
    writeFileSync(join(work, 'base', 'Dockerfile'), BASE_DOCKERFILE);
    writeFileSync(join(work, 'base', 'auditwheel'), AUDITWHEEL_STANDIN, { mode: 0o755 });
    ok(await sh('docker', ['build', '-q', '-t', base, join(work, 'base')]), 'manylinux stand-in');
    mkdirSync(join(work, 'test'));
    writeFileSync(join(work, 'test', 'Dockerfile'), TEST_DOCKERFILE);
    ok(await sh('docker', ['build', '-q', '-t', `${testRepo}:3.11-slim`, join(work, 'test')]), 'python:3.11-slim stand-in');

    mkdirSync(dir);
    ok(await sh('git', ['init', '-q'], { cwd: dir }), 'git init');
    cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'python-wheels'), join(dir, 'python'), { recursive: true });
    const r = runCli(['--yes', '--python-versions', '3.11', '--base-image', base], dir);
    assert.is(r.code, 0, r.stderr);
    ok(await sh('chown', ['-R', '4242:4243', dir]), 'chown');

    const docs = readFileSync(join(dir, 'docs', 'DOCKER.md'), 'utf8');
    const testLine = docLines(docs).find((l) => l.startsWith('scripts/local-ci.sh test'));
    assert.ok(testLine, 'docs/DOCKER.md tells to run scripts/local-ci.sh test');
    const pip = { PIP_INDEX_URL: index.url, PIP_TRUSTED_HOST: '127.0.0.1' };
    const t = await sh('bash', ['-c', testLine!], { cwd: dir, env: { TEST_IMAGE_REPO: testRepo, DOCKER_NETWORK: 'host', ...pip } });
    ok(t, testLine!);
    assert.match(t.stdout, /==> all wheels install and import/);
    const wheel = 'fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl';
    assert.equal(readdirSync(join(dir, 'python', 'dist')), [wheel]);
    assert.equal([owner(join(dir, 'python', 'dist')), owner(join(dir, 'python', 'dist', wheel))], ['4242:4243', '4242:4243'], 'the wheels are the checkout owner\'s');
    assert.not.ok(existsSync(join(dir, 'dist')), 'nothing in the root dist/');
    assert.match(docs, /python\/dist\/\*\.whl/, 'the docs say where the wheels land');
    // setuptools built in a copy: no build/ or egg-info in the package folder.
    assert.equal([...readdirSync(join(dir, 'python')), ...readdirSync(join(dir, 'python', 'src'))].filter((f) => f === 'build' || f.endsWith('.egg-info')), []);

    const v = await runCliAsync(['verify', '--build-arg', `BASE_IMAGE=${base}`, '--network', 'host', '--json', '-'], join(dir, 'python'), { TEST_IMAGE_REPO: testRepo, ...pip });
    let report: { checks: { name: string; status: string; detail: string }[] };
    try {
      report = JSON.parse(v.stdout);
    } catch {
      throw new Error(`verify printed no JSON report (exit ${v.code}):\n${v.stdout}\n${v.stderr}`);
    }
    const ours = report.checks.filter((c) => /^(help|wheels|output|cache):/.test(c.name));
    assert.equal(ours.map((c) => `${c.name}: ${c.status}`), [
      'help: works without mounts: pass',
      'wheels: built for cp311: pass',
      'wheels: repaired (manylinux tag): pass',
      'output: owned by the checkout owner: pass',
      'wheels: cp311 installs and imports in a clean container: pass',
      'cache: second build downloads no pip package: pass',
    ], `${ours.map((c) => `${c.name}: ${c.detail}`).join('\n')}\n${v.stderr.slice(-2000)}`);
    assert.is(v.code, 0, v.stderr);
  } finally {
    await index.close();
    await sh('docker', ['image', 'rm', '-f', `${image}:builder`, base, `${testRepo}:3.11-slim`]);
    await sh('docker', ['volume', 'rm', '-f', `${name}-pip-cache`]);
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
