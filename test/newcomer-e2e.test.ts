// The whole path of a newcomer (issue 21), as uid 4242 in a pseudo-terminal, on a fresh clone of
// this repository: the bin before building (one line), `npm pack` (prepack builds), `npm exec` of
// the tarball to scaffold a PlatformIO project (embedded envs, one interpolating another's
// build_flags, native envs where one extends the other, a unit test), a mirror in `.env` as the
// docs say (its index URL with a password), the docs' Quick start verbatim (the native unit tests
// too), the documented clean-up, `verify` with no build args, `update` with a new board, the
// rebuild it prints, and the kept-file warning. Each numbered point of the issue is asserted where
// it is met (item 2 is test/run-gate.test.ts, item 8 another issue's).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers/cli.js';
import { fixtureLeft, removeFixture } from './helpers/compose-fixture.js';
import { docCommands } from './helpers/doc-commands.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { runAsNewcomer, type Newcomer } from './helpers/newcomer.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const UID = 4242;
const GID = 4243;
const NAME = `newcomer-e2e-${process.pid}`;
const TIMEOUT = 20 * 60_000;
const PASSWORD = 'NewcomerS3cret';

const INI = `[platformio]
default_envs = uno

[env]
framework = arduino

[env:uno]
platform = atmelavr
board = uno

[env:esp32dev]
platform = espressif32
board = esp32dev
build_flags = -DBOARD_ESP32

[env:esp32dev-mqtt]
platform = espressif32
board = esp32dev
build_flags = \${env:esp32dev.build_flags} -DENABLE_MQTT

[env:native]
platform = native
framework =
build_flags = -DUNIT=1

[env:native-ci]
extends = env:native
`;
const FIXTURE: Record<string, string> = {
  'platformio.ini': INI,
  'src/main.cpp': '#ifdef ARDUINO\n#include <Arduino.h>\nvoid setup() {}\nvoid loop() {}\n#else\nint main() { return 0; }\n#endif\n',
  'test/test_basic/test_main.cpp': '#include <unity.h>\nvoid setUp(void) {}\nvoid tearDown(void) {}\nvoid test_unit(void) { TEST_ASSERT_EQUAL(1, UNIT); }\nint main() { UNITY_BEGIN(); RUN_TEST(test_unit); return UNITY_END(); }\n',
};

const { test, docker } = await engineSuite('newcomer path (engine)');
const isRoot = process.getuid?.() === 0;

let base = '';
let clone = '';
let project = '';
let tgz = '';
let index: PipIndex | undefined;
let wheelDir = '';
let who: Newcomer;

const sh = (cmd: string, args: string[], cwd = ROOT) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
};
const tail = (text: string, n = 30) => text.trimEnd().split('\n').slice(-n).join('\n');
/** Runs a command line as the newcomer in a pty; fails the test when its exit code is not `want`. */
async function type(command: string, cwd: string, want = 0): Promise<string> {
  const r = await runAsNewcomer(command, cwd, who, TIMEOUT);
  console.log(`  newcomer: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s: ${command}`);
  assert.is(r.code, want, `${command}:\n${tail(r.output)}`);
  return r.output;
}
const cli = (args: string) => `npm exec --yes --package ${tgz} -- create-pio-docker ${args}`;

test.after(async () => {
  if (project) await removeFixture(docker, NAME).catch(() => {});
  await index?.close();
  for (const d of [base, wheelDir]) if (d) rmSync(d, { recursive: true, force: true });
});

test('a fresh clone: the bin says in one line that it is not built; npm pack builds and packs it (item 3)', async () => {
  if (!isRoot) {
    console.log('  (skipped: runs as uid 4242 with setpriv, which needs root)');
    return;
  }
  base = mkdtempSync(join(tmpdir(), 'cpd-newcomer-'));
  chmodSync(base, 0o755);
  clone = join(base, 'clone');
  sh('git', ['clone', '-q', ROOT, clone]);
  // No network here: the clone uses this checkout's dependencies, as `npm ci` would have installed them.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  const home = join(base, 'home');
  project = join(base, NAME);
  for (const [path, text] of Object.entries(FIXTURE)) {
    const file = join(project, path);
    sh('mkdir', ['-p', join(file, '..')]);
    writeFileSync(file, text);
  }
  sh('mkdir', ['-p', home]);
  sh('chown', ['-R', `${UID}:${GID}`, clone, home, project]);
  const socket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';
  who = { uid: UID, gid: GID, groups: existsSync(socket) ? [statSync(socket).gid] : [], home, env: { ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}), npm_config_offline: 'true' } };

  const unbuilt = await type('node bin/create-pio-docker.js --help', clone, 1);
  const lines = unbuilt.trim().split('\n');
  assert.is(lines.length, 1, unbuilt);
  assert.match(lines[0], /^error: create-pio-docker is not built .*: run `npm ci && npm run build` in /);

  const packed = await type('npm pack', clone);
  tgz = join(clone, readdirSync(clone).find((f) => f.endsWith('.tgz')) ?? 'none.tgz');
  assert.ok(existsSync(tgz), packed);
});

test('npm exec of the tarball scaffolds; the docs list what git add adds (item 10); a mirror in .env', async () => {
  if (!tgz) return;
  const out = await type(cli('--yes'), project);
  assert.match(out, /Next steps:/);
  const gitAdd = out.match(/^ {2}git add (.*)$/m)?.[1].trim().split(' ') ?? [];
  const docs = readFileSync(join(project, 'docs/DOCKER.md'), 'utf8');
  const commit = docs.match(/^Commit: ([\s\S]*?)\n\n/m)?.[1] ?? '';
  assert.ok(gitAdd.includes('.devcontainer/'));
  for (const p of gitAdd) assert.ok(commit.includes(p.endsWith('/') ? `\`${p}` : `\`${p}\``), `Commit: lacks ${p}`);

  wheelDir = mkdtempSync(join(tmpdir(), 'cpd-wheel-'));
  buildStandinWheel(wheelDir);
  index = await startPipIndex(wheelDir);
  const url = index.url.replace('http://', `http://newcomer:${PASSWORD}@`);
  writeFileSync(join(project, '.env'), `BASE_IMAGE=${TEST_IMAGES.python}\nPIP_INDEX_URL=${url}\nBUILD_NETWORK=host\n`);
  sh('chown', [`${UID}:${GID}`, join(project, '.env')]);
});

test("the docs' Quick start runs verbatim, the native unit tests included (item 7); the documented down removes the network (item 5)", async () => {
  if (!tgz) return;
  const docs = readFileSync(join(project, 'docs/DOCKER.md'), 'utf8');
  const quick = docCommands(docs, ['Quick start']);
  const unitTests = quick.find((c) => / build test -e native\b/.test(c.command));
  assert.ok(unitTests, 'the Quick start runs the native unit tests');
  for (const c of quick) {
    const out = await type(c.command, project, c.expectFailure ? 1 : 0);
    if (c === unitTests) assert.match(out, /test_basic \[PASSED\]/);
  }
  const networks = async () => (await docker.listNetworks()).filter((n) => n.Name === `${NAME}_default`).length;
  assert.is(await networks(), 1, 'run --rm left the project network, as the docs say');
  const down = docs.match(/`(docker compose -f compose\.build\.yaml [^`]*down)`/)?.[1];
  assert.ok(down, 'the docs give the clean-up command');
  const out = await type(down!, project);
  assert.not.match(out, /No resource found to remove/);
  assert.is(await networks(), 0, `${down} removed the network`);
});

test('verify with no build args takes the mirror from .env, says so, never prints the password, and passes (item 1; all with interpolated and extended envs)', async () => {
  if (!tgz) return;
  const r = await runAsNewcomer(cli('verify'), project, who, TIMEOUT);
  console.log(`  newcomer: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s: verify`);
  assert.not.ok(r.output.includes(PASSWORD), 'verify printed the password');
  assert.match(r.output, new RegExp(`settings: BASE_IMAGE=${TEST_IMAGES.python} \\(\\.env\\), PIP_INDEX_URL=http://\\*\\*\\*@127\\.0\\.0\\.1:\\d+/simple/ \\(\\.env\\), BUILD_NETWORK=host \\(\\.env\\)`));
  assert.not.match(r.output, /not present locally/);
  // native's flags reach native-ci (extends), esp32dev's reach esp32dev-mqtt (interpolation): native-ci is the one made to fail.
  assert.match(r.output, /PASS all: one failing env fails the run, the others still build: native-ci failed/);
  assert.match(r.output, /native: build and test +pass/);
  assert.is(r.code, 0, tail(r.output, 60));
});

test('update with a new board says to rebuild and how (item 4); the printed commands make the image list it', async () => {
  if (!tgz) return;
  writeFileSync(join(project, 'platformio.ini'), `${INI}\n[env:nodemcuv2]\nplatform = espressif8266\nboard = nodemcuv2\n`);
  const out = await type(cli('update'), project);
  const printed = out.match(/The images are out of date:.*\n((?: {2}\S.*\n?)+)/)?.[1];
  assert.ok(printed, out);
  for (const line of printed!.trim().split('\n')) await type(line.trim(), project);
  const list = await type('docker compose -f compose.build.yaml run --rm build list', project);
  assert.match(list, /^nodemcuv2$/m);
  await type("docker compose -f compose.build.yaml --profile '*' down", project);
});

test('a re-run that changes nothing says so (item 9); a kept Dockerfile without the stages is named at once (item 6)', async () => {
  if (!tgz) return;
  let out = await type(cli('update'), project);
  assert.match(out, /^Nothing changed\.$/m);
  assert.not.match(out, /Changed:/);
  writeFileSync(join(project, 'Dockerfile'), 'FROM debian\n');
  out = await type(cli('update'), project);
  assert.match(out, /Kept as you have them \(not regenerated\):\n\s+kept \(yours\)\s+Dockerfile/);
  assert.match(out, /warning: your Dockerfile \(kept\) lacks the stages .*builder.*target stage [\w-]+ could not be found/);
});

test('nothing of the project is left on the engine', async () => {
  if (!tgz) return;
  assert.equal(await removeFixture(docker, NAME), []);
  assert.equal(await fixtureLeft(docker, NAME), []);
});

test.run();
