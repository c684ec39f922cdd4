// python-wheels with the package in python/ of a git repository, on the engine: scaffolded at the
// repository root, then what docs/DOCKER.md tells a newcomer to run, from the root: `scripts/local-ci.sh
// test` (the builder image, the wheels built in python/ as the checkout's owner, each installed and
// imported in a clean container); the wheel lands in python/dist/, nothing in the root's dist/. Then
// `create-pio-docker verify`, run inside python/, passes every python-wheels check. Stand-ins as in
// test/presets-python-engine.test.ts (a manylinux base made from Debian with an auditwheel TEST
// STAND-IN, a local index on 127.0.0.1, a python:3.11-slim stand-in). Names carry `cpd-h4sub-`.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { engineSuite } from './helpers/engine.js';
import { startPipIndex } from './helpers/pip-index.js';
import { buildPythonStandins, debianBuildWheels } from './helpers/python-standins.js';
import { ok, runAsync } from './helpers/run-async.js';
import { ROOT, runCli, runCliAsync } from './helpers/cli.js';

const id = randomBytes(3).toString('hex');
const name = `cpd-h4sub-py-${id}`;
const base = `cpd-h4sub-manylinux-standin-${id}:latest`;
const testRepo = `cpd-h4sub-python-standin-${id}`;
const image = `${name}-wheels`;

const { test } = await engineSuite('python-wheels in a subfolder (engine)');

// 900 s: a cold manylinux stand-in build and a first wheel build take minutes.
const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => runAsync(cmd, args, { ...opts, timeoutMs: 900_000 });

/** The shell lines of the docs' first ```sh block. */
const docLines = (docs: string) => /```sh\n([\s\S]*?)```/.exec(docs)![1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
const owner = (p: string) => `${statSync(p).uid}:${statSync(p).gid}`;

test('python-wheels, the package in python/: local-ci.sh test (as the docs say) builds python/dist/ as the checkout owner, and verify passes', async () => {
  if (process.getuid?.() !== 0) {
    console.log('python-wheels subfolder engine test skipped: it gives the checkout to uid 4242, which needs root');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'cpd-h4sub-'));
  const index = await startPipIndex(debianBuildWheels());
  const dir = join(work, name);
  try {
    await buildPythonStandins(work, { manylinux: base, slimRepo: testRepo });

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
