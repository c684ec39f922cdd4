// The docs are executed: on the real engine, a fixture project is scaffolded with the real bin, and
// every shell command of its generated docs/DOCKER.md "Quick start" and "Troubleshooting" sections
// runs in order, verbatim, as a newcomer would type it: `bash -c COMMAND` in a terminal (a pty), in
// the project folder, as uid 4242 (not 1000) with only the docker socket's group, HOME of its own.
// The stand-ins (Python base image, PlatformIO TEST STAND-IN on a local index) reach the build only
// through the documented mirror settings, a `.env` in the project. A command must exit 0 unless its
// trailing comment says `exits non-zero` (test/helpers/doc-commands.ts). Then: the default env's
// firmware exists, everything in the checkout belongs to 4242:4243, a second build reuses the cache
// volume; and nothing of the fixture (containers, networks, volumes, images) is left.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, lchownSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { readState, removeProject, runCli, tempProject } from './helpers/cli.js';
import { docCommands, type DocCommand } from './helpers/doc-commands.js';
import { fixtureLeft, PROJECT_LABEL, removeFixture } from './helpers/compose-fixture.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { runAsNewcomer, type CommandRun, type Newcomer } from './helpers/newcomer.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const TITLE = 'docs e2e (engine)';
const SECTIONS = ['Quick start', 'Troubleshooting'];
const UID = 4242;
const GID = 4243;
/** The fixture's folder name: the compose project, the image tags and the cache volume derive from it. */
const PREFIX = 'docs-e2e-';
const NAME = `${PREFIX}${process.pid}`;
const DEFAULT_ENV = 'uno';
const COMMAND_TIMEOUT_MS = 20 * 60_000;
/** A build with the cache volume kept: the stand-in installs nothing and it takes seconds. */
const WARM_BUILD_MAX_MS = 60_000;

const FIXTURE = {
  'platformio.ini': `[platformio]
default_envs = ${DEFAULT_ENV}

[env:${DEFAULT_ENV}]
platform = atmelavr
board = uno
framework = arduino

[env:esp32dev]
platform = espressif32
board = esp32dev
framework = arduino

[env:native]
platform = native
`,
  'src/main.cpp': `#ifdef ARDUINO
#include <Arduino.h>
void setup() {}
void loop() {}
#else
int main() { return 0; }
#endif
`,
  'test/test_basic/test_main.cpp': `#include <unity.h>

void setUp(void) {}
void tearDown(void) {}
void test_sum(void) { TEST_ASSERT_EQUAL(4, 2 + 2); }

int main() {
  UNITY_BEGIN();
  RUN_TEST(test_sum);
  return UNITY_END();
}
`,
};

const { test, docker } = await engineSuite(TITLE);

/** The docker socket's path, or null when DOCKER_HOST is not a unix socket. */
function socketPath(): string | null {
  const host = process.env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : null;
}

// ---------------------------------------------------------------------------------------------
// Fixture resources on the engine

/** Fixtures of earlier runs whose process is gone (killed before its cleanup). */
async function staleFixtures(): Promise<string[]> {
  const names = new Set<string>();
  const re = new RegExp(`^/?(${PREFIX}(\\d+))(?:[-_:]|$)`);
  const add = (s: string | undefined) => {
    const m = s?.match(re);
    if (!m) return;
    try {
      process.kill(Number(m[2]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') names.add(m[1]);
    }
  };
  for (const c of await docker.listContainers({ all: true })) add(c.Labels?.[PROJECT_LABEL] ?? c.Image);
  for (const n of await docker.listNetworks()) add(n.Name);
  for (const v of (await docker.listVolumes()).Volumes ?? []) add(v.Name);
  for (const img of await docker.listImages()) for (const tag of img.RepoTags ?? []) add(tag);
  return [...names];
}

// ---------------------------------------------------------------------------------------------
// Files in the checkout

/** Every path below dir (lstat: links are not followed). */
function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) walk(p, out);
  }
  return out;
}

function chownTree(dir: string, uid: number, gid: number): void {
  lchownSync(dir, uid, gid);
  for (const p of walk(dir)) lchownSync(p, uid, gid);
}

/** Paths in the checkout that do not belong to UID:GID, with their owner. */
function foreignOwned(dir: string): string[] {
  return [dir, ...walk(dir)]
    .map((p) => ({ p, st: lstatSync(p) }))
    .filter(({ st }) => st.uid !== UID || st.gid !== GID)
    .map(({ p, st }) => `${relative(dir, p) || '.'} (${st.uid}:${st.gid})`);
}

// ---------------------------------------------------------------------------------------------

const tail = (text: string, n = 40) => text.trimEnd().split('\n').slice(-n).join('\n');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let index: PipIndex | undefined;
let wheelDir = '';
let dir = '';
let home = '';
let commands: DocCommand[] = [];
let newcomer: Newcomer;
let ready = false;
const runs: { cmd: DocCommand; run: CommandRun }[] = [];

const needSetup = () => assert.ok(ready, 'the fixture was not set up (see the first failure)');

/** Runs the section's commands in order as the newcomer; returns one message per command whose exit code the docs do not announce. */
async function runSection(name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const cmd of commands.filter((c) => c.section === name)) {
    const run = await runAsNewcomer(cmd.command, dir, newcomer, COMMAND_TIMEOUT_MS);
    runs.push({ cmd, run });
    const typed = run.typed.length ? `, typed: ${run.typed.join(', ')}` : '';
    console.log(`  docs-e2e [${name}] exit ${run.code} in ${seconds(run.ms)}${typed}: ${cmd.command}`);
    const failed = run.code !== 0;
    if (failed === cmd.expectFailure) continue;
    const why = run.timedOut
      ? `did not finish within ${seconds(COMMAND_TIMEOUT_MS)}`
      : cmd.expectFailure
        ? 'exited 0, but the docs announce a failure (`# exits non-zero`)'
        : `exited ${run.code}, and the docs do not announce a failure (no \`# exits non-zero\` on it)`;
    problems.push(`DOCUMENTED COMMAND FAILS VERBATIM [${name}] \`${cmd.command}\` (as uid ${UID}, in the project folder): ${why}. Output:\n${tail(run.output) || '(no output)'}`);
  }
  return problems;
}

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  // setpriv needs root to run the docs as another uid.
  const s = suite(TITLE);
  const reason = 'runs the docs as uid 4242 with setpriv, which needs root';
  if (process.env.CI === 'true') {
    s('runs as root (required when CI=true)', () => {
      throw new Error(reason);
    });
  } else {
    console.log(`docs e2e skipped: ${reason}`);
    s.skip('the docs are executed');
  }
  s.run();
} else {
  test.after(async () => {
    if (dir) await removeFixture(docker, NAME).catch(() => {});
    await index?.close();
    if (wheelDir) rmSync(wheelDir, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
    if (dir) removeProject(dir);
  });

  test('fixture: scaffolded with the real bin (two embedded envs, one native), mirrors in .env, owned by uid 4242', async () => {
    for (const stale of await staleFixtures()) await removeFixture(docker, stale);
    wheelDir = mkdtempSync(join(tmpdir(), 'cpd-wheel-'));
    buildStandinWheel(wheelDir);
    index = await startPipIndex(wheelDir);

    dir = tempProject(FIXTURE, NAME);
    chmodSync(dirname(dir), 0o755); // the newcomer must reach the project
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, `create-pio-docker --yes:\n${r.stdout}\n${r.stderr}`);
    assert.is(readState(dir).answers.projectName, NAME, 'image and volume names derive from the folder name');
    // The stand-ins, only through the documented mirror settings ("Mirrors ... one place").
    writeFileSync(join(dir, '.env'), `BASE_IMAGE=${TEST_IMAGES.python}\nPIP_INDEX_URL=${index.url}\nBUILD_NETWORK=host\n`);
    chownTree(dir, UID, GID);

    home = mkdtempSync(join(tmpdir(), 'cpd-home-'));
    chownTree(home, UID, GID);
    const socket = socketPath();
    newcomer = {
      uid: UID,
      gid: GID,
      groups: socket ? [statSync(socket).gid] : [],
      home,
      env: process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {},
    };

    commands = docCommands(readFileSync(join(dir, 'docs/DOCKER.md'), 'utf8'), SECTIONS);
    for (const s of SECTIONS) assert.ok(commands.some((c) => c.section === s), `"${s}" has commands`);
    ready = true;
  });

  test('Quick start: every command runs verbatim as uid 4242, in order, with the exit code the docs announce', async () => {
    needSetup();
    const problems = await runSection('Quick start');
    assert.ok(problems.length === 0, problems.join('\n\n'));
  });

  test(`Quick start: env ${DEFAULT_ENV} was built, and everything in the checkout belongs to ${UID}:${GID}`, () => {
    needSetup();
    assert.ok(existsSync(join(dir, '.pio/build', DEFAULT_ENV, 'firmware.bin')), `.pio/build/${DEFAULT_ENV}/firmware.bin exists after the Quick start`);
    const foreign = foreignOwned(dir);
    assert.ok(foreign.length === 0, `not owned by ${UID}:${GID} after the Quick start: ${foreign.join(', ')}`);
  });

  test('a second run of the Quick start build command is fast: the cache volume was kept', async () => {
    needSetup();
    const isBuild = (c: DocCommand) => /\bcompose\b.*\brun\b/.test(c.command) && c.command.split('#')[0].trim().split(/\s+/).includes(DEFAULT_ENV);
    const first = runs.find((r) => r.cmd.section === 'Quick start' && isBuild(r.cmd));
    assert.ok(first, `the Quick start has a \`docker compose ... run ... ${DEFAULT_ENV}\` build command`);
    assert.is(first!.run.code, 0, 'the first run of the build command succeeded');
    // Otherwise "nothing installed the second time" would prove nothing.
    assert.match(first!.run.output, /Installing/, 'the first build filled the fresh cache volume');
    const again = await runAsNewcomer(first!.cmd.command, dir, newcomer, COMMAND_TIMEOUT_MS);
    console.log(`  docs-e2e [second build] exit ${again.code} in ${seconds(again.ms)} (first: ${seconds(first!.run.ms)}): ${first!.cmd.command}`);
    assert.is(again.code, 0, `second run of \`${first!.cmd.command}\`:\n${tail(again.output)}`);
    assert.not.match(again.output, /Installing/, `the second build installed packages again: the cache volume was not kept\n${tail(again.output)}`);
    assert.ok(again.ms < WARM_BUILD_MAX_MS, `the second build took ${seconds(again.ms)} (limit ${seconds(WARM_BUILD_MAX_MS)})`);
  });

  test('Troubleshooting: every command runs verbatim as uid 4242, in order, with the exit code the docs announce', async () => {
    needSetup();
    const problems = await runSection('Troubleshooting');
    const foreign = foreignOwned(dir);
    if (foreign.length) problems.push(`not owned by ${UID}:${GID} after the Troubleshooting commands: ${foreign.join(', ')}`);
    assert.ok(problems.length === 0, problems.join('\n\n'));
  });

  test('cleanup: no container, network, volume or image of the fixture is left', async () => {
    needSetup();
    const problems = await removeFixture(docker, NAME);
    assert.equal(problems, [], 'every fixture resource was removed');
    assert.equal(await fixtureLeft(docker, NAME), [], 'nothing of the fixture is left on the engine');
  });

  test.run();
}
