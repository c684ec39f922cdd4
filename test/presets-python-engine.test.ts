// The python-wheels preset on the real engine, with local stand-ins (no registry, no PyPI):
// - a manylinux stand-in base made from Debian (cpd-test/python:bookworm + gcc, python3-dev,
//   patchelf; /opt/python/cp311-cp311/bin/python -> Debian's python3.11; build isolation off, since
//   setuptools cannot come from PyPI here) with an `auditwheel` TEST STAND-IN that checks the wheel
//   (a zip with a compiled .so, tagged linux_x86_64) and renames it to manylinux_2_28_x86_64;
// - a clean test image stand-in for python:3.11-slim (Debian's python3 as `python`, pip allowed).
// The fixture is scaffolded, `scripts/local-ci.sh test` builds the image, the wheel, and installs
// and imports it in a clean container; a second `build-docker` is skipped by the inputs label.
// Names carry `cpd-h13p-` and a random suffix.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { ROOT, runCli } from './helpers/cli.js';

const id = randomBytes(3).toString('hex');
const base = `cpd-h13p-manylinux-standin-${id}:latest`;
const testRepo = `cpd-h13p-python-standin-${id}`;
const image = `cpd-h13p-fastsum-${id}`;
const project = `h13p-fastsum-${id}`;

const { test } = await engineSuite('python-wheels preset on the engine');

const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 900_000 });
const ok = (r: SpawnSyncReturns<string>, what: string) => assert.is(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);

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
# No PyPI here: build with Debian's setuptools and wheel (pip's inverted switch: 0 turns isolation off).
ENV PIP_NO_BUILD_ISOLATION=0
COPY auditwheel /usr/local/bin/auditwheel
`;

const TEST_DOCKERFILE = `FROM ${TEST_IMAGES.python}
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -s /usr/bin/python3 /usr/local/bin/python
`;

test('python-wheels: local-ci.sh test builds, repairs, installs and imports the wheel; build-docker is skipped when unchanged', () => {
  const work = mkdtempSync(join(tmpdir(), 'cpd-h13p-'));
  const dir = join(work, project);
  try {
    mkdirSync(join(work, 'base'));
    writeFileSync(join(work, 'base', 'Dockerfile'), BASE_DOCKERFILE);
    writeFileSync(join(work, 'base', 'auditwheel'), AUDITWHEEL_STANDIN, { mode: 0o755 });
    ok(sh('docker', ['build', '-q', '-t', base, join(work, 'base')]), 'manylinux stand-in');
    mkdirSync(join(work, 'test'));
    writeFileSync(join(work, 'test', 'Dockerfile'), TEST_DOCKERFILE);
    ok(sh('docker', ['build', '-q', '-t', `${testRepo}:3.11-slim`, join(work, 'test')]), 'python:3.11-slim stand-in');

    cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'python-wheels'), dir, { recursive: true });
    const scaffold = runCli([dir, '--yes', '--python-versions', '3.11', '--image', image, '--base-image', base], dir);
    assert.is(scaffold.code, 0, scaffold.stderr);
    const env = { TEST_IMAGE_REPO: testRepo };
    const help = sh('docker', ['run', '--rm', `${image}:builder`, 'help']);
    const r = sh(join(dir, 'scripts', 'local-ci.sh'), ['test'], { env });
    ok(r, 'local-ci.sh test');
    assert.match(r.stdout, /==> all wheels install and import/);
    assert.equal(readdirSync(join(dir, 'dist')), ['fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl']);
    // `help` needs no mounts (the image exists now).
    ok(sh('docker', ['run', '--rm', `${image}:builder`, 'help']), 'help without mounts');
    assert.not.ok(help.status === 0, 'the image did not exist before build-docker');
    // Nothing changed: build-docker does not build.
    const again = sh(join(dir, 'scripts', 'local-ci.sh'), ['build-docker'], { env });
    ok(again, 'build-docker again');
    assert.match(again.stdout, /is up to date/);
    // The sources in the checkout stay clean: setuptools built in a copy.
    assert.equal([...readdirSync(dir), ...readdirSync(join(dir, 'src'))].filter((f) => f === 'build' || f.endsWith('.egg-info')), []);
  } finally {
    sh('docker', ['image', 'rm', '-f', `${image}:builder`, base, `${testRepo}:3.11-slim`]);
    sh('docker', ['volume', 'rm', '-f', `${project}-pip-cache`]);
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
