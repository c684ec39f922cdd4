// go-deb with go.mod in go/ of a git repository, on the engine: scaffolded at the repository root,
// then what docs/DOCKER.md tells a newcomer to run, from the root: scripts/build-docker.sh, the
// documented `docker run ... -w /build/go` (here with the test's Go module proxy on 127.0.0.1, so
// host networking: it fills the project's cache volume), `docker compose -f compose.build.yaml run
// --rm deb` and `all` (GOPROXY=off: the module must come from that volume), `clean`; the .deb and
// the binaries land in go/dist/ owned by the checkout's owner, nothing in the root's dist/. Then
// `create-pio-docker verify` passes every go-deb check. Stand-in base: cpd-test/golang:bookworm.
// Names carry `cpd-h4sub-` and a random suffix.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { CHECKS as GO_DEB_CHECKS } from '../src/presets/go-deb/checks.js';
import { ROOT, runCli, runCliAsync } from './helpers/cli.js';
import { engineSuite } from './helpers/engine.js';
import { ok, runAsync, type Ran } from './helpers/run-async.js';
import { GREETING, requireModule, startGoProxy } from './helpers/go-proxy.js';

const GOLANG_IMAGE = 'cpd-test/golang:bookworm';
const id = randomBytes(3).toString('hex');
const name = `cpd-h4sub-go-${id}`;
const image = `${name}-build`;
const volume = `${name}-go-cache`;

const { test } = await engineSuite('go-deb in a subfolder (engine)');

// Asynchronous: the module proxy answers from this process's event loop.
const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runAsync(cmd, args, { cwd, env, timeoutMs: 600_000 });
const owner = (p: string) => spawnSync('stat', ['-c', '%u:%g', p], { encoding: 'utf8' }).stdout.trim();

/** The shell lines of the docs' first ```sh block. */
const docLines = (docs: string) => /```sh\n([\s\S]*?)```/.exec(docs)![1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);

test('go-deb, go.mod in go/: the documented commands build go/dist/ as the checkout owner, and verify passes', async () => {
  if (spawnSync('docker', ['image', 'inspect', GOLANG_IMAGE]).status !== 0) {
    const reason = `missing test image ${GOLANG_IMAGE} (create it with: bash test/engine/setup-engine.sh)`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.log(`go-deb subfolder engine test skipped: ${reason}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    console.log('go-deb subfolder engine test skipped: it gives the checkout to uid 4242, which needs root');
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'cpd-h4sub-'));
  const dir = join(base, name);
  const proxy = await startGoProxy([GREETING]);
  const goEnv = { GOPROXY: proxy.url, GOSUMDB: 'off', GOFLAGS: '' };
  try {
    mkdirSync(dir);
    cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'go-deb'), join(dir, 'go'), { recursive: true });
    requireModule(join(dir, 'go'), GREETING);
    const git = (...args: string[]) => ok(spawnSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }) as Ran, `git ${args[0]}`);
    git('init', '-q');
    const scaffold = runCli(['--yes', '--system-packages', 'none'], dir);
    assert.is(scaffold.code, 0, scaffold.stderr);
    git('add', '.');
    git('commit', '-qm', 'init');
    git('tag', 'v1.2.3');
    ok(await sh('chown', ['-R', '4242:4243', dir], dir), 'chown');

    const docs = readFileSync(join(dir, 'docs', 'DOCKER.md'), 'utf8');
    const lines = docLines(docs);
    const line = (start: string) => {
      const l = lines.find((x) => x.startsWith(start));
      assert.ok(l, `docs/DOCKER.md has no "${start}..." line:\n${lines.join('\n')}`);
      return l!;
    };
    // The documented commands, run from the repository root as written (bash), with the stand-in base.
    const run = (cmd: string, env: NodeJS.ProcessEnv = {}) => sh('bash', ['-c', cmd], dir, { BASE_IMAGE: GOLANG_IMAGE, ...env });
    ok(await run(line('scripts/build-docker.sh')), 'scripts/build-docker.sh');
    assert.ok(spawnSync('docker', ['image', 'inspect', `${image}:builder`]).status === 0, `${image}:builder built`);

    // The docs' `docker run` line, with host networking for the proxy on 127.0.0.1: fills the cache volume.
    const byHand = line('docker run --rm -v "$PWD:/build" -w /build/go');
    assert.match(byHand, new RegExp(`-v ${volume}:/home/builder/.cache/go `));
    ok(await run(`${byHand.replace('docker run --rm', `docker run --rm --network host -e GOPROXY -e GOSUMDB -e GOFLAGS`)}`, goEnv), 'docker run ... deb (documented)');
    assert.equal(readdirSync(join(dir, 'go', 'dist')).filter((f) => f.endsWith('.deb')), ['hellofs_1.2.3_amd64.deb']);
    ok(await run(line('docker compose -f compose.build.yaml run --rm clean')), 'compose run clean');
    assert.not.ok(existsSync(join(dir, 'go', 'dist')), 'clean removed go/dist/');

    // compose with no proxy reachable: the module comes from the same cache volume.
    const all = await run(line('docker compose -f compose.build.yaml run --rm all'), { GOPROXY: 'off' });
    ok(all, 'compose run all');
    assert.not.match(all.stdout + all.stderr, /go: downloading/);
    const made = ['go/dist', 'go/dist/bin', 'go/dist/bin/a', 'go/dist/bin/b', 'go/dist/hellofs_1.2.3_amd64.deb'];
    assert.equal(made.map((p) => owner(join(dir, p))), made.map(() => '4242:4243'), 'output belongs to the checkout owner');
    assert.not.ok(existsSync(join(dir, 'dist')), 'nothing in the root dist/');
    assert.match(docs, /go\/dist\/hellofs_VERSION_ARCH\.deb/, 'the docs say where the .deb lands');
    ok(await run(line('docker compose -f compose.build.yaml run --rm clean')), 'compose run clean');

    // verify run inside go/ (it finds the repository root): every go-deb check passes.
    const r = await runCliAsync(['verify', '--build-arg', `BASE_IMAGE=${GOLANG_IMAGE}`, '--network', 'host', '--json', '-'], join(dir, 'go'), goEnv);
    let report: { checks: { name: string; status: string; detail: string }[] };
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new Error(`verify printed no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    const table = report.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');
    assert.is(r.code, 0, `${table}\n${r.stderr.slice(-3000)}`);
    for (const { name: n } of GO_DEB_CHECKS) assert.is(report.checks.find((c) => c.name === n)?.status, 'pass', `${n}:\n${table}`);
  } finally {
    await proxy.close();
    spawnSync('docker', ['image', 'rm', '-f', `${image}:builder`]);
    spawnSync('docker', ['volume', 'rm', '-f', volume]);
    // compose run made the project's default network (named after the checkout's folder).
    spawnSync('docker', ['network', 'rm', `${name}_default`]);
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
