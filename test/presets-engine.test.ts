// The go-deb preset on the real engine: the fixture (test/fixtures/presets/go-deb plus one module
// dependency served over http by a local Go module proxy) scaffolded, its builder image built on a
// local stand-in base (cpd-test/golang:bookworm: Debian's golang-go and dpkg-dev, made by
// test/engine/setup-engine.sh), then the root-start entrypoint: `help` without mounts runs as the
// image user; a checkout owned by root (rootless Docker) builds as root; one owned by uid 4242
// builds as 4242 with output and the whole cache volume (read-only module files included, left
// root's by the root build) theirs; the second build downloads no module; the version comes from
// the git tag; `clean` removes the output; `docker stop` during a build ends it with 143 at once.
// The .deb's checks (dpkg-deb --info, clean install) are verify's: test/presets-go-verify.test.ts.
// Names carry `cpd-h1go-` and a random suffix.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { ROOT, runCli } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { GREETING, requireModule, startGoProxy } from './helpers/go-proxy.js';
import { ok, runAsync, type Ran } from './helpers/run-async.js';

const GOLANG_IMAGE = 'cpd-test/golang:bookworm';
const CACHE = '/home/builder/.cache/go';
const id = randomBytes(3).toString('hex');
const image = `cpd-h1go-hellofs-${id}`;
const volume = `cpd-h1go-gocache-${id}`;
const stopName = `cpd-h1go-stop-${id}`;

const { test } = await engineSuite('go-deb preset on the engine');

const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 600_000 });
const downloads = (r: Ran) => (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('go: downloading ')).length;
/** Owners (uid:gid) of everything below `dir` in the cache volume other than `owner`, the entrypoint's stamp aside. */
const cacheNotOwnedBy = (owner: string) => {
  const [uid, gid] = owner.split(':');
  const r = sh('docker', ['run', '--rm', '--entrypoint', 'find', '-v', `${volume}:${CACHE}`, `${image}:builder`, CACHE, '(', '!', '-uid', uid, '-o', '!', '-gid', gid, ')', '!', '-name', '.create-pio-docker-owner', '-printf', '%u:%g %p\\n']);
  ok(r, 'find in the cache volume');
  return r.stdout.trim().split('\n').filter(Boolean);
};
const owners = (dir: string, paths: string[]) => paths.map((p) => sh('stat', ['-c', '%u:%g', join(dir, p)]).stdout.trim());

test('go-deb: root-start entrypoint: help without mounts, root-owned and uid-4242 checkouts, one cache volume, stop ends a build with 143', async () => {
  if (sh('docker', ['image', 'inspect', GOLANG_IMAGE]).status !== 0) {
    const reason = `missing test image ${GOLANG_IMAGE} (create it with: bash test/engine/setup-engine.sh)`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.log(`go-deb engine test skipped: ${reason}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    console.log('go-deb engine test skipped: it gives checkouts to uid 4242 and root, which needs root');
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'cpd-h1go-'));
  const dir = join(base, 'hellofs');
  const proxy = await startGoProxy([GREETING]);
  try {
    cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'go-deb'), dir, { recursive: true });
    requireModule(dir, GREETING);
    const git = (cwd: string, ...args: string[]) => ok(sh('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd }), `git ${args[0]}`);
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    git(dir, 'tag', 'v1.2.3');
    const scaffold = runCli([dir, '--yes', '--image', image, '--system-packages', 'none'], dir);
    assert.is(scaffold.code, 0, scaffold.stderr);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'docker');
    git(dir, 'tag', '-f', 'v1.2.3');
    ok(sh(join(dir, 'scripts', 'build-docker.sh'), ['--tag', `${image}:builder`], { env: { BASE_IMAGE: GOLANG_IMAGE } }), 'build-docker.sh');

    // No mounts: the image user runs it.
    const help = sh('docker', ['run', '--rm', `${image}:builder`, 'help']);
    ok(help, 'help without mounts');
    assert.match(help.stdout, /binaries .*\(a b\)/);
    assert.is(sh('docker', ['run', '--rm', `${image}:builder`, 'id', '-u']).stdout, '1000\n', 'no checkout mounted: the image user');

    // Go's settings as compose passes them: GOPROXY set, the others empty (Go's defaults).
    const goEnv = ['-e', `GOPROXY=${proxy.url}`, '-e', 'GOSUMDB=off', '-e', 'GOFLAGS=', '-e', 'GOPRIVATE=', '--network', 'host'];
    const build = (checkout: string, cmd: string) => runAsync('docker', ['run', '--rm', ...goEnv, '-v', `${checkout}:/build`, '-v', `${volume}:${CACHE}`, `${image}:builder`, cmd, '--output', 'out']);

    // A checkout owned by root (rootless Docker: root in the container is the host user) builds as
    // root, first, into a fresh cache volume: the module cache's read-only files are root's.
    const rootDir = join(base, 'rootfs');
    cpSync(dir, rootDir, { recursive: true });
    ok(sh('chown', ['-R', '0:0', rootDir]), 'chown root');
    const asRoot = await build(rootDir, 'all');
    ok(asRoot, 'all as root');
    assert.is(downloads(asRoot), 1, `the first build downloads the dependency:\n${asRoot.stderr}`);
    assert.equal(owners(rootDir, ['out', 'out/bin/a', 'out/hellofs_1.2.3_amd64.deb']), ['0:0', '0:0', '0:0'], 'root-owned checkout: root-owned output');
    assert.ok(cacheNotOwnedBy('4242:4243').some((l) => l.startsWith('root:root ') && l.includes('/mod/example.org/greeting@v1.0.0')), 'the root build left root-owned modules');

    // The checkout belongs to uid 4242 (not the image user 1000): output and cache become theirs.
    ok(sh('chown', ['-R', '4242:4243', dir]), 'chown 4242');
    const run = await build(dir, 'all');
    ok(run, 'all as 4242');
    assert.is(downloads(run), 0, `the cache volume kept the module:\n${run.stderr}`);
    const deb = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.deb'));
    assert.equal(deb, ['hellofs_1.2.3_amd64.deb'], 'version from the git tag');
    const made = ['out', 'out/bin', 'out/bin/a', 'out/bin/b', `out/${deb[0]}`];
    assert.equal(owners(dir, made), made.map(() => '4242:4243'), 'output belongs to the checkout owner');
    assert.equal(cacheNotOwnedBy('4242:4243'), [], 'the whole cache volume (read-only module files too) is re-owned');
    const again = await build(dir, 'binaries');
    ok(again, 'binaries again');
    assert.is(downloads(again), 0);

    const a = sh('docker', ['run', '--rm', '-v', `${dir}/out:/out:ro`, TEST_IMAGES.debian, '/out/bin/a']);
    ok(a, 'a runs');
    assert.is(a.stdout, 'hello from a (a 1.2.3)\n', 'version from -ldflags');

    // clean as the owner removes what it wrote, root's checkout too.
    for (const d of [dir, rootDir]) {
      ok(sh('docker', ['run', '--rm', '-v', `${d}:/build`, `${image}:builder`, 'clean', '--output', 'out']), `clean in ${d}`);
      assert.not.ok(existsSync(join(d, 'out')), 'clean removed its output');
    }

    // docker stop during a real build (-a: every package again, seconds of work): tini forwards
    // SIGTERM to the whole group, the build ends with 143 at once instead of a SIGKILL after 10 s.
    writeFileSync(join(dir, 'slow.env'), 'GOFLAGS=-a\n');
    ok(sh('docker', ['run', '-d', '--name', stopName, '--env-file', join(dir, 'slow.env'), '-v', `${dir}:/build`, '-v', `${volume}:${CACHE}`, `${image}:builder`, 'binaries', '--output', 'out']), 'start a slow build');
    let compiling = false;
    for (let i = 0; i < 200 && !compiling; i++) {
      compiling = /^go build /m.test(sh('docker', ['top', stopName, '-o', 'pid,args']).stdout.replace(/^\d+\s+/gm, ''));
      if (!compiling) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(compiling, 'the build started');
    const t0 = Date.now();
    ok(sh('docker', ['stop', '-t', '10', stopName]), 'docker stop');
    const ms = Date.now() - t0;
    assert.is(sh('docker', ['inspect', '-f', '{{.State.ExitCode}}', stopName]).stdout.trim(), '143', 'SIGTERM reached the build');
    assert.ok(ms < 3000, `docker stop took ${ms} ms`);
  } finally {
    await proxy.close();
    sh('docker', ['rm', '-f', stopName]);
    sh('docker', ['image', 'rm', '-f', `${image}:builder`]);
    sh('docker', ['volume', 'rm', '-f', volume]);
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
