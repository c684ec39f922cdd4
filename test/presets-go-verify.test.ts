// `create-pio-docker verify` on a go-deb project, end to end on the engine: the fixture
// (test/fixtures/presets/go-deb plus one module dependency) scaffolded with the real bin and
// verified on the local Go stand-in base (cpd-test/golang:bookworm), with the dependency served by
// a Go module proxy over http on 127.0.0.1 (GOPROXY from verify's environment, host networking).
// Every go-deb check must pass, the proxy must have served the module once (the second build takes
// it from the cache volume), and nothing labelled with the run may be left. A copy whose .deb
// Depends on a package no apt source has fails exactly `deb: installs in a clean container`, with
// apt's message. Names carry `cpd-h1go-` and a random suffix.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { CHECKS as GO_DEB_CHECKS } from '../src/presets/go-deb/checks.js';
import { ROOT, runCli, runCliAsync } from './helpers/cli.js';
import { engineSuite } from './helpers/engine.js';
import { GREETING, requireModule, startGoProxy, type GoProxy } from './helpers/go-proxy.js';
import { runVerifyJson, verifyLeftovers, type VerifyReport } from './helpers/verify-run.js';

const GOLANG_IMAGE = 'cpd-test/golang:bookworm';
const id = randomBytes(3).toString('hex');
const image = `cpd-h1go-verify-${id}`;

const { test, docker } = await engineSuite('go-deb verify (engine)');

let proxy: GoProxy;
let base: string;
let dir: string;
const hasGolang = spawnSync('docker', ['image', 'inspect', GOLANG_IMAGE]).status === 0;

test.before(async () => {
  if (!hasGolang) {
    const reason = `missing test image ${GOLANG_IMAGE} (create it with: bash test/engine/setup-engine.sh)`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.log(`go-deb verify engine tests skipped: ${reason}`);
    return;
  }
  proxy = await startGoProxy([GREETING]);
  base = mkdtempSync(join(tmpdir(), 'cpd-h1go-'));
  dir = join(base, 'hellofs');
  cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'go-deb'), dir, { recursive: true });
  requireModule(dir, GREETING);
  const r = runCli([dir, '--yes', '--image', image, '--system-packages', 'none'], dir);
  assert.is(r.code, 0, r.stderr);
});

test.after(async () => {
  await proxy?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** verify with the stand-in base; Go's settings from its environment (GOFLAGS empty: Go's default); host network: the proxy is on 127.0.0.1. */
function verify(project: string, ...extra: string[]) {
  return runVerifyJson(['verify', '--build-arg', `BASE_IMAGE=${GOLANG_IMAGE}`, '--network', 'host', '--json', '-', ...extra], project, { GOPROXY: proxy.url, GOSUMDB: 'off', GOFLAGS: '' });
}

const leftovers = (runId: string) => verifyLeftovers(docker, runId);

test('verify: every go-deb check passes on the fixture; the module came from the http proxy once; nothing left', async () => {
  if (!hasGolang) return;
  const before = readFileSync(join(dir, 'go.mod'), 'utf8');
  const { code, stderr, report } = await verify(dir);
  const table = report.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');
  assert.is(code, 0, `${table}\n${stderr.slice(-3000)}`);
  const byName = new Map(report.checks.map((c) => [c.name, c]));
  for (const { name } of GO_DEB_CHECKS) assert.is(byName.get(name)?.status, 'pass', `${name}:\n${table}`);
  assert.is(byName.get('build: builder')?.status, 'pass', table);
  assert.ok(report.checks.some((c) => c.name.startsWith('compose:') && c.status === 'pass'), `compose config checks ran:\n${table}`);
  // What the checks say they checked.
  // Names only: a proxy URL may carry a user and token.
  assert.match(byName.get('binaries: built')!.detail, /^a, b in verify-out\/bin\/ \(GOPROXY, GOSUMDB, GOFLAGS \(empty: Go's default\) from verify's environment\)/);
  assert.not.match(table, /127\.0\.0\.1/, 'the proxy URL is not printed');
  assert.match(byName.get('binaries: run')!.detail, /a --version: a 0\.0\.0; b --version: b 0\.0\.0/);
  assert.match(byName.get('cache: second build downloads no Go module')!.detail, /first build: 1 module\(s\) downloaded \(example\.org\/greeting v1\.0\.0\), second build: none/);
  assert.match(byName.get('deb: installs in a clean container')!.detail, /\/usr\/bin\/a, \/usr\/bin\/b on PATH, and they run/);
  assert.match(byName.get('stop: docker stop ends the running command at once (exit 143)')!.detail, /as 4242:4243 with the hardening of compose\.build\.yaml: exit 143 in \d+ ms/);
  assert.match(byName.get('deb: dpkg-deb --info')!.detail, /Package hellofs, Version 0\.0\.0, Architecture amd64, Depends fuse3 \(>= 3\.2\)/);
  // Served over http by the test's proxy, once: the second build took it from the cache volume.
  assert.equal([...proxy.zips], [['example.org/greeting@v1.0.0', 1]]);
  assert.is(readFileSync(join(dir, 'go.mod'), 'utf8'), before, "the user's checkout is not written");
  assert.equal(await leftovers(report.runId), []);
});

test('verify: a Depends no apt source has and a command that answers neither --version nor --help fail exactly their checks, with apt\'s and the command\'s messages', async () => {
  if (!hasGolang) return;
  const broken = join(base, 'broken');
  cpSync(dir, broken, { recursive: true });
  const script = join(broken, 'docker', 'go-build.sh');
  const text = readFileSync(script, 'utf8');
  assert.match(text, /^DEPENDS='fuse3 \(>= 3\.2\)'$/m);
  writeFileSync(script, text.replace(/^DEPENDS='fuse3 \(>= 3\.2\)'$/m, "DEPENDS='fuse3 (>= 3.2), cpd-no-such-package-h1go'"));
  // b as a FUSE filesystem without a mount point would behave: refuses every argument.
  writeFileSync(join(broken, 'cmd', 'b', 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"os"\n\n\t_ "example.com/hellofs/internal/cinfo"\n)\n\nfunc main() {\n\tfmt.Fprintln(os.Stderr, "usage: b MOUNTPOINT")\n\tos.Exit(2)\n}\n');
  const { code, report } = await verify(broken);
  const table = report.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');
  assert.is(code, 1, table);
  assert.equal(report.checks.filter((c) => c.status === 'fail').map((c) => c.name), ['binaries: run', 'deb: installs in a clean container'], table);
  const run = report.checks.find((c) => c.name === 'binaries: run')!;
  assert.match(run.detail, /b --version: exit 2: usage: b MOUNTPOINT\n\s+b --help: exit 2: usage: b MOUNTPOINT/, table);
  assert.not.match(run.detail, /\ba --/, 'a answered');
  const failed = report.checks.find((c) => c.name === 'deb: installs in a clean container')!;
  assert.match(failed.detail, /cpd-no-such-package-h1go/, table);
  assert.match(failed.detail, /not installable|Unable to locate|unmet dependencies/i, table);
  assert.equal(await leftovers(report.runId), []);
});

test('verify: a module proxy on 127.0.0.1 without --network host fails `binaries: built` with the tail of the build and a hint', async () => {
  if (!hasGolang) return;
  const r = await runCliAsync(['verify', '--build-arg', `BASE_IMAGE=${GOLANG_IMAGE}`, '--json', '-'], dir, { GOPROXY: proxy.url, GOSUMDB: 'off' });
  const report = JSON.parse(r.stdout) as VerifyReport;
  const table = report.checks.map((c) => `${c.status} ${c.name}: ${c.detail}`).join('\n');
  assert.is(r.code, 1, table);
  assert.equal(report.checks.filter((c) => c.status === 'fail').map((c) => c.name), ['binaries: built'], table);
  const built = report.checks.find((c) => c.name === 'binaries: built')!;
  assert.match(built.detail, /example\.org\/greeting@v1\.0\.0: Get "http:\/\/127\.0\.0\.1:\d+\/example\.org\/greeting\/@v\/v1\.0\.0\.zip"/, table);
  assert.match(built.detail, /hint: GOPROXY is on this machine: pass --network host$/, table);
  // The checks after a failed build say why they did not run, none passes.
  for (const n of ['binaries: run', 'output: owned by the checkout owner', 'deb: dpkg-deb --info', 'deb: installs in a clean container', 'cache: second build downloads no Go module']) {
    assert.is(report.checks.find((c) => c.name === n)?.detail, 'the build failed (see binaries: built)', n);
  }
  assert.equal(await leftovers(report.runId), []);
});

test.run();
