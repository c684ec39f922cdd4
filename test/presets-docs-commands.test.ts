// The generated docs of the go-deb and python-wheels presets are executed, as docs-e2e does for
// PlatformIO: each preset's fixture (test/fixtures/presets/<id>) is scaffolded with the real bin and
// committed to git (the docs tell the team to commit the generated files), and every command of the
// ```sh blocks of its docs/DOCKER.md build section runs in order, verbatim, as a newcomer types it
// (test/helpers/newcomer.ts): in a pty, as uid 4242:4243 (not 1000) with only the docker socket's
// group and a HOME of its own. The local stand-ins reach the commands only through the settings the
// docs name, in the newcomer's environment: BASE_IMAGE (cpd-test/golang:bookworm; a manylinux
// stand-in made from Debian with an auditwheel TEST STAND-IN), TEST_IMAGE_REPO, and pip's index
// settings with DOCKER_NETWORK=host for a local index on 127.0.0.1.
// A command that cannot run here (PyPI, a registry) is listed as skipped with its reason; a skip
// that matches no command fails the test (the docs changed: the list must follow).
// Then: the outputs the comments promise exist, everything in the checkout belongs to 4242:4243, the
// cache volume the docs name exists and belongs to 4242:4243, and nothing of the fixture is left.
// Names carry `cpd-h5doc-` and the pid.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readState, ROOT, runCli } from './helpers/cli.js';
import { docCommands } from './helpers/doc-commands.js';
import { engineSuite, SETUP_HINT } from './helpers/engine.js';
import { runAsNewcomer, type Newcomer } from './helpers/newcomer.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildPythonStandins, debianBuildWheels } from './helpers/python-standins.js';
import { ok, runAsync } from './helpers/run-async.js';

const TITLE = 'preset docs commands (engine)';
const UID = 4242;
const GID = 4243;
const TAG = `cpd-h5doc-${process.pid}`;
const COMMAND_TIMEOUT_MS = 20 * 60_000;
const GOLANG_IMAGE = 'cpd-test/golang:bookworm';
const STAMP = '.create-pio-docker-owner';
/** A newcomer has git set up; create-tag writes an annotated tag. */
const GIT_ID = { GIT_AUTHOR_NAME: 'Newcomer', GIT_AUTHOR_EMAIL: 'newcomer@example.org', GIT_COMMITTER_NAME: 'Newcomer', GIT_COMMITTER_EMAIL: 'newcomer@example.org' };

// The newcomer's team has git set up (create-tag writes an annotated tag).
const sh = (cmd: string, args: string[], cwd?: string) => runAsync(cmd, args, { cwd, env: GIT_ID });
const tail = (text: string, n = 40) => text.trimEnd().split('\n').slice(-n).join('\n');

// ---------------------------------------------------------------------------------------------
// The python-wheels stand-ins (test/helpers/python-standins.ts): their names in this run

const manylinuxStandin = `${TAG}-manylinux-standin:latest`;
const slimRepo = `${TAG}-python-standin`;

// ---------------------------------------------------------------------------------------------
// The presets

interface Skip {
  match: RegExp;
  reason: string;
}
interface Case {
  id: 'go-deb' | 'python-wheels';
  sections: string[];
  scaffold: string[];
  /** The newcomer's environment: the stand-ins, through the settings the docs name. */
  env(): Record<string, string>;
  skips: Skip[];
  /** After a command matching `after`, what must be true in the checkout (one message per problem). */
  expect: { after: RegExp; check(dir: string, name: string): string[] }[];
  /** The one cache volume and where it is mounted in the builder image. */
  cacheVolume(name: string): string;
  cacheDir: string;
  image(name: string): string;
  /** Sentences the docs must hold (what they promise). */
  says(name: string): string[];
}

const files = (dir: string, sub: string) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)) : []);
const need = (cond: boolean, msg: string) => (cond ? [] : [msg]);

let index: PipIndex | undefined;

const CASES: Case[] = [
  {
    id: 'go-deb',
    sections: ['Build'],
    scaffold: ['--yes', '--system-packages', 'none'],
    env: () => ({ BASE_IMAGE: GOLANG_IMAGE }),
    skips: [],
    expect: [
      { after: /run --rm binaries\b/, check: (d) => need(['a', 'b'].every((b) => files(d, 'dist/bin').includes(b)), `dist/bin/ has a and b (has: ${files(d, 'dist/bin').join(', ') || 'nothing'})`) },
      { after: /run --rm deb\b/, check: (d) => need(files(d, 'dist').includes('hellofs_1.2.3_amd64.deb'), `dist/hellofs_1.2.3_amd64.deb (version from the git tag) exists (dist: ${files(d, 'dist').join(', ') || 'nothing'})`) },
      { after: /docker run .* deb --output dist\b/, check: (d) => need(files(d, 'dist').includes('hellofs_1.2.3_amd64.deb'), 'the .deb exists after the docker run without compose') },
      { after: /--artifacts dist\b/, check: (d) => need(files(d, 'dist').some((f) => f.endsWith('.deb')), `--artifacts wrote a .deb to dist/ (dist: ${files(d, 'dist').join(', ')})`) },
      { after: /run --rm clean\b/, check: (d) => need(!existsSync(join(d, 'dist/bin')), 'clean removed dist/bin') },
    ],
    cacheVolume: (name) => `${name}-go-cache`,
    cacheDir: '/home/builder/.cache/go',
    image: (name) => `${name}-build:builder`,
    says: (name) => [`\`${name}-go-cache\``, 'GOPROXY', 'create-pio-docker verify', '`deb: installs in a clean container`'],
  },
  {
    id: 'python-wheels',
    sections: ['Build and test'],
    scaffold: ['--yes', '--python-versions', '3.11'],
    env: () => ({ BASE_IMAGE: manylinuxStandin, TEST_IMAGE_REPO: slimRepo, PIP_INDEX_URL: index!.url, PIP_TRUSTED_HOST: '127.0.0.1', DOCKER_NETWORK: 'host' }),
    skips: [
      { match: /local-ci\.sh deploy --dry-run/, reason: 'installs twine from PyPI, which this machine cannot reach (the local index serves only setuptools and wheel)' },
      { match: /local-ci\.sh deploy(?! --dry-run)/, reason: 'uploads to PyPI with a real token' },
      { match: /compose .* run --rm wheels\b/, reason: "needs PyPI: compose's wheels service passes no pip index settings and runs on compose's network, which cannot reach the local index on 127.0.0.1 (the docs say so)" },
    ],
    expect: [
      { after: /local-ci\.sh test\b/, check: (d) => need(files(d, 'dist').includes('fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl'), `dist/ has the repaired cp311 wheel (has: ${files(d, 'dist').join(', ') || 'nothing'})`) },
      { after: /create-tag 1\.2\.3/, check: (d) => need(existsSync(join(d, '.git/refs/tags/v1.2.3')), 'create-tag made the tag v1.2.3') },
      { after: /docker run .*--init.* wheels$/, check: (d) => need(files(d, 'dist').some((f) => f.endsWith('-manylinux_2_28_x86_64.whl')), 'the docker run by hand left a wheel in dist/') },
    ],
    cacheVolume: (name) => `${name}-pip-cache`,
    cacheDir: '/home/builder/.cache/pip',
    image: (name) => `${name}-wheels:builder`,
    says: (name) => [`\`${name}-pip-cache\``, '--init', 'PIP_INDEX_URL', 'DOCKER_NETWORK=host', 'create-pio-docker verify', '`wheels: built for cp311`'],
  },
];

// ---------------------------------------------------------------------------------------------
// The checkout and the engine

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) walk(p, out);
  }
  return out;
}
function chownTree(dir: string): void {
  for (const p of [dir, ...walk(dir)]) lchownSync(p, UID, GID);
}
const foreignOwned = (dir: string) =>
  [dir, ...walk(dir)]
    .map((p) => ({ p, st: lstatSync(p) }))
    .filter(({ st }) => st.uid !== UID || st.gid !== GID)
    .map(({ p, st }) => `${relative(dir, p) || '.'} (${st.uid}:${st.gid})`);

/** Removes what the fixture's commands made on the engine (compose project = folder name). */
function removeFixture(name: string): void {
  const lines = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const containers = lines(['ps', '-aq', '--filter', `label=com.docker.compose.project=${name}`]);
  if (containers.length) spawnSync('docker', ['rm', '-f', '-v', ...containers]);
  spawnSync('docker', ['network', 'rm', `${name}_default`]);
  const volumes = lines(['volume', 'ls', '-q']).filter((v) => v.startsWith(`${name}-`));
  if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes]);
  const images = lines(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).filter((i) => i.startsWith(`${name}-`));
  if (images.length) spawnSync('docker', ['image', 'rm', '-f', ...images]);
}
function fixtureLeft(name: string): string[] {
  const lines = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return [
    ...lines(['ps', '-a', '--format', '{{.Names}}', '--filter', `label=com.docker.compose.project=${name}`]).map((c) => `container ${c}`),
    ...lines(['network', 'ls', '--format', '{{.Name}}']).filter((n) => n.startsWith(`${name}_`)).map((n) => `network ${n}`),
    ...lines(['volume', 'ls', '-q']).filter((v) => v.startsWith(`${name}-`)).map((v) => `volume ${v}`),
    ...lines(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).filter((i) => i.startsWith(`${name}-`)).map((i) => `image ${i}`),
  ];
}

function socketGroups(): number[] {
  const host = process.env.DOCKER_HOST;
  const socket = !host ? '/var/run/docker.sock' : host.startsWith('unix://') ? host.slice('unix://'.length) : null;
  return socket ? [statSync(socket).gid] : [];
}

// ---------------------------------------------------------------------------------------------

const { test } = await engineSuite(TITLE);
const isRoot = process.getuid?.() === 0;

if (!isRoot) {
  const s = suite(TITLE);
  const reason = 'runs the docs as uid 4242 with setpriv, which needs root';
  if (process.env.CI === 'true') {
    s('runs as root (required when CI=true)', () => {
      throw new Error(reason);
    });
  } else {
    console.log(`preset docs commands skipped: ${reason}`);
    s.skip('the preset docs are executed');
  }
  s.run();
} else {
  const work = mkdtempSync(join(tmpdir(), 'cpd-h5doc-'));
  chmodSync(work, 0o755); // the newcomer must reach the projects
  const home = join(work, 'home');
  mkdirSync(home);
  lchownSync(home, UID, GID);
  const names: string[] = [];

  test.before(async () => {
    index = await startPipIndex(debianBuildWheels());
  });

  test.after(async () => {
    for (const n of names) removeFixture(n);
    await sh('docker', ['image', 'rm', '-f', manylinuxStandin, `${slimRepo}:3.11-slim`]);
    await index?.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(`${c.id}: every command of docs/DOCKER.md "${c.sections.join('", "')}" runs verbatim as uid ${UID}, in order; outputs, owners and the cache volume are as the docs say`, async () => {
      if (c.id === 'go-deb' && (await sh('docker', ['image', 'inspect', GOLANG_IMAGE])).status !== 0) {
        throw new Error(`missing test image ${GOLANG_IMAGE} (${SETUP_HINT})`);
      }
      if (c.id === 'python-wheels') {
        await buildPythonStandins(work, { manylinux: manylinuxStandin, slimRepo });
      }

      // The fixture, scaffolded and committed by its owner's team; the newcomer's checkout is 4242's.
      const name = `${TAG}-${c.id === 'go-deb' ? 'go' : 'py'}`;
      names.push(name);
      const dir = join(work, name);
      cpSync(join(ROOT, 'test', 'fixtures', 'presets', c.id), dir, { recursive: true });
      const r = runCli(c.scaffold, dir);
      assert.is(r.code, 0, `create-pio-docker ${c.scaffold.join(' ')}:\n${r.stdout}\n${r.stderr}`);
      assert.is(readState(dir).answers.projectName, name, 'image and volume names derive from the folder name');
      // go-deb's version comes from the tag; python-wheels' create-tag makes it.
      const git = [['init', '-q'], ['add', '.'], ['commit', '-qm', 'init'], ...(c.id === 'go-deb' ? [['tag', 'v1.2.3']] : [])];
      for (const args of git) ok(await sh('git', args, dir), `git ${args[0]}`);
      chownTree(dir);

      const docs = readFileSync(join(dir, 'docs/DOCKER.md'), 'utf8');
      const commands = docCommands(docs, c.sections);
      assert.ok(commands.length > 0, 'the docs have commands');
      const missing = c.says(name).filter((s) => !docs.includes(s));
      assert.equal(missing, [], `docs/DOCKER.md says ${missing.join(', ')}`);

      const newcomer: Newcomer = {
        uid: UID,
        gid: GID,
        groups: socketGroups(),
        home,
        env: { ...c.env(), ...GIT_ID, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) },
      };
      const problems: string[] = [];
      const skipped = new Set<Skip>();
      for (const cmd of commands) {
        const skip = c.skips.find((s) => s.match.test(cmd.command));
        if (skip) {
          skipped.add(skip);
          console.log(`  ${c.id} docs SKIPPED (${skip.reason}): ${cmd.command}`);
          continue;
        }
        const run = await runAsNewcomer(cmd.command, dir, newcomer, COMMAND_TIMEOUT_MS);
        console.log(`  ${c.id} docs exit ${run.code} in ${(run.ms / 1000).toFixed(1)} s: ${cmd.command}`);
        if ((run.code !== 0) !== cmd.expectFailure) {
          const why = run.timedOut ? 'timed out' : cmd.expectFailure ? 'exited 0, but the docs announce a failure' : `exited ${run.code}`;
          problems.push(`DOCUMENTED COMMAND FAILS VERBATIM [${cmd.section}] \`${cmd.command}\` (as uid ${UID}): ${why}. Output:\n${tail(run.output) || '(no output)'}`);
          continue;
        }
        for (const e of c.expect.filter((x) => x.after.test(cmd.command))) problems.push(...e.check(dir, name).map((m) => `after \`${cmd.command}\`: ${m}`));
      }
      const unused = c.skips.filter((s) => !skipped.has(s));
      assert.equal(unused.map((s) => String(s.match)), [], 'every listed skip matches a documented command');
      const unchecked = c.expect.filter((e) => !commands.some((cmd) => e.after.test(cmd.command)));
      assert.equal(unchecked.map((e) => String(e.after)), [], 'every expected command is in the docs');

      const foreign = foreignOwned(dir);
      if (foreign.length) problems.push(`not owned by ${UID}:${GID} after the docs' commands: ${foreign.join(', ')}`);

      // The cache volume the docs name: there, and every file in it the checkout owner's (the entrypoint's stamp aside).
      const volume = c.cacheVolume(name);
      const find = await sh('docker', ['run', '--rm', '--entrypoint', 'find', '-v', `${volume}:${c.cacheDir}`, c.image(name), c.cacheDir, '!', '-name', STAMP, '-printf', '%U:%G %p\\n']);
      if (find.status !== 0) problems.push(`cannot list the cache volume ${volume}: ${find.stderr}`);
      else {
        const entries = find.stdout.trim().split('\n').filter(Boolean);
        if (entries.length < 2) problems.push(`the cache volume ${volume} is empty: the builds did not use it`);
        const others = entries.filter((l) => !l.startsWith(`${UID}:${GID} `));
        if (others.length) problems.push(`in the cache volume ${volume}, not ${UID}:${GID}'s: ${others.slice(0, 5).join(', ')}`);
      }
      assert.ok(problems.length === 0, problems.join('\n\n'));
    });
  }

  test('cleanup: no container, network, volume or image of the fixtures is left', () => {
    for (const n of names) removeFixture(n);
    assert.equal(names.flatMap(fixtureLeft), []);
  });

  test.run();
}
