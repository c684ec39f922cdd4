// Issue 20: `docker compose -f compose.build.yaml run --rm <target>` after
// `scripts/build-docker.sh --base-image X` runs the image just built: no rebuild, no pull of the
// default base (golang:1.19-bookworm, which this machine cannot reach). go-deb's fixture (no module
// dependencies: it builds offline) is scaffolded, its builder image built on the local stand-in
// base, then `run --rm binaries` with no BASE_IMAGE anywhere must build the binaries with the same
// image ID and print no build or pull. With the old compose file (build: + pull_policy: build) the
// run rebuilt from the default base and failed here. Names carry `cpd-h20pull-` and a random suffix.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { ROOT, runCli } from './helpers/cli.js';
import { engineSuite } from './helpers/engine.js';

const GOLANG_IMAGE = 'cpd-test/golang:bookworm';
const name = `cpd-h20pull-${randomBytes(3).toString('hex')}`;
const image = `${name}-build:builder`;

const { test } = await engineSuite('go-deb compose run uses the built image (engine)');

// No BASE_IMAGE: the run must not depend on it (compose would read it from here or .env).
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'BASE_IMAGE'));
const sh = (cwd: string, cmd: string, ...args: string[]) => spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
const imageId = () => spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8' }).stdout.trim();

test('go-deb: compose run --rm binaries after build-docker.sh --base-image runs that image: same ID, no build, no pull', () => {
  if (spawnSync('docker', ['image', 'inspect', GOLANG_IMAGE]).status !== 0) {
    const reason = `missing test image ${GOLANG_IMAGE} (create it with: bash test/engine/setup-engine.sh)`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.log(`go-deb compose run engine test skipped: ${reason}`);
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'cpd-h20pull-'));
  const dir = join(base, name);
  try {
    cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'go-deb'), dir, { recursive: true });
    const scaffold = runCli([dir, '--yes', '--system-packages', 'none'], dir);
    assert.is(scaffold.code, 0, scaffold.stderr);

    const built = sh(dir, 'scripts/build-docker.sh', '--base-image', GOLANG_IMAGE);
    assert.is(built.status, 0, `build-docker.sh:\n${built.stdout}\n${built.stderr}`);
    const before = imageId();
    assert.match(before, /^sha256:/, `${image} built`);

    const run = sh(dir, 'docker', 'compose', '-f', 'compose.build.yaml', 'run', '--rm', 'binaries');
    const out = `${run.stdout}\n${run.stderr}`;
    assert.is(run.status, 0, `compose run --rm binaries:\n${out}`);
    assert.equal(readdirSync(join(dir, 'dist', 'bin')).sort(), ['a', 'b'], 'the binaries were built');
    assert.not.match(out, /^#\d+ |building with|\[\+\] Building|\bBuilding\b|\bPulling\b|\bPulled\b|pull access denied|golang:1\.19/m, `no build and no pull:\n${out}`);
    assert.is(imageId(), before, 'the same image: not rebuilt');
  } finally {
    // By project name (the folder's): compose's network, whatever state the checkout is in.
    sh(base, 'docker', 'compose', '-p', name, 'down', '--remove-orphans');
    spawnSync('docker', ['image', 'rm', '-f', image]);
    spawnSync('docker', ['volume', 'rm', '-f', `${name}-go-cache`]);
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
