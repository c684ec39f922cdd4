// The dev container with the real tooling (@devcontainers/cli) on the engine: a fixture scaffolded
// with the real bin (stand-ins through the documented .env), owned by uid 1234 (not the image's
// 1000). The commands of its docs/DOCKER.md "Editor (dev container)" section run verbatim as that
// user (setpriv; a passwd entry for it only in a private mount namespace, as a real host user has
// one, because the CLI runs `id -un`): build the dev image, `devcontainer up`, `exec pio --version`,
// compose down. Between up and down, `devcontainer exec` must run as the workspace owner, write
// into the workspace as 1234:1234, and see the cache volume mounted and owned by that user; the
// container's main process must have been started by the image's entrypoint (dropped to 1234).
// `devcontainer read-configuration` must read the file back. Nothing of the fixture is left.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeProject, ROOT, runCli, tempProject } from './helpers/cli.js';
import { docCommands } from './helpers/doc-commands.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const TITLE = 'devcontainer (engine)';
const SECTION = 'Editor (dev container)';
const UID = 1234;
const NAME = `devc-h14-${process.pid}`;
const WORKSPACE_FILE = 'written-in-devcontainer.txt';
const FIXTURE = {
  'platformio.ini': '[env:uno]\nplatform = atmelavr\nboard = uno\nframework = arduino\n',
  'src/main.cpp': '#include <Arduino.h>\nvoid setup() {}\nvoid loop() {}\n',
};

const { test, docker } = await engineSuite(TITLE);

interface Run {
  code: number;
  out: string;
}

let dir = '';
let home = '';
let ns = '';
let wheelDir = '';
let index: PipIndex | undefined;
let sockGid: number | null = null;

/** `bash -c COMMAND` in the project as uid 1234 with the socket's group, its passwd entry bound over /etc/passwd in a private mount namespace. */
function asOwner(command: string, timeoutMs = 600_000): Promise<Run> {
  const inner = `mount --bind ${ns}/passwd /etc/passwd && mount --bind ${ns}/group /etc/group && exec setpriv --reuid=${UID} --regid=${UID} ${sockGid === null ? '--clear-groups' : `--groups=${sockGid}`} bash -c "$0"`;
  const env = { HOME: home, PATH: `${join(home, 'bin')}:${process.env.PATH}`, LANG: 'C.UTF-8', ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) };
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-m', 'sh', '-c', inner, command], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

const show = (r: Run) => `exit ${r.code}\n${r.out.trimEnd().split('\n').slice(-30).join('\n')}`;

function chownTree(p: string): void {
  lchownSync(p, UID, UID);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e));
}

/** Containers, images, networks and volumes of the fixture. */
async function leftovers(): Promise<{ kind: string; id: string }[]> {
  const out: { kind: string; id: string }[] = [];
  for (const c of await docker.listContainers({ all: true })) {
    if (c.Labels?.['com.docker.compose.project'] === NAME || c.Labels?.['devcontainer.local_folder'] === dir) out.push({ kind: 'container', id: c.Id });
  }
  for (const i of await docker.listImages()) if ((i.RepoTags ?? []).some((t) => t.includes(NAME))) out.push({ kind: 'image', id: i.Id });
  for (const n of await docker.listNetworks()) if (n.Name.startsWith(NAME)) out.push({ kind: 'network', id: n.Id });
  for (const v of (await docker.listVolumes()).Volumes ?? []) if (v.Name.startsWith(NAME)) out.push({ kind: 'volume', id: v.Name });
  return out;
}

async function removeAll(): Promise<void> {
  const order = ['container', 'network', 'volume', 'image'];
  const all = (await leftovers()).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const { kind, id } of all) {
    const gone = () => {};
    if (kind === 'container') await docker.getContainer(id).remove({ force: true, v: true }).catch(gone);
    if (kind === 'network') await docker.getNetwork(id).remove().catch(gone);
    if (kind === 'volume') await docker.getVolume(id).remove({ force: true }).catch(gone);
    if (kind === 'image') await docker.getImage(id).remove({ force: true }).catch(gone);
  }
}

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  const s = suite(TITLE);
  const reason = 'runs the devcontainer CLI as uid 1234 with setpriv and unshare, which need root';
  if (process.env.CI === 'true') s('runs as root (required when CI=true)', () => assert.unreachable(reason));
  else {
    console.log(`devcontainer engine tests skipped: ${reason}`);
    s.skip('devcontainer up and exec');
  }
  s.run();
} else {
  let commands: string[] = [];
  let ready = false;

  test.after(async () => {
    if (dir) await removeAll();
    await index?.close();
    for (const d of [wheelDir, home, ns]) if (d) rmSync(d, { recursive: true, force: true });
    if (dir) removeProject(dir);
  });

  test('fixture: scaffolded with the real bin, stand-ins in .env, owned by uid 1234', async () => {
    wheelDir = mkdtempSync(join(tmpdir(), 'cpd-wheel-'));
    buildStandinWheel(wheelDir);
    index = await startPipIndex(wheelDir);
    dir = tempProject(FIXTURE, NAME);
    chmodSync(dirname(dir), 0o755);
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, `create-pio-docker --yes:\n${r.stdout}\n${r.stderr}`);
    writeFileSync(join(dir, '.env'), `BASE_IMAGE=${TEST_IMAGES.python}\nPIP_INDEX_URL=${index.url}\nBUILD_NETWORK=host\n`);
    chownTree(dir);
    home = mkdtempSync(join(tmpdir(), 'cpd-home-'));
    // The CLI (the devDependency) copied where uid 1234 can read it: the checkout may sit below a
    // folder only root can enter (a CI clone in a mode-700 temp folder).
    cpSync(join(ROOT, 'node_modules', '@devcontainers', 'cli'), join(home, 'devcontainers-cli'), { recursive: true });
    mkdirSync(join(home, 'bin'));
    writeFileSync(join(home, 'bin', 'devcontainer'), `#!/bin/sh\nexec node ${join(home, 'devcontainers-cli', 'devcontainer.js')} "$@"\n`, { mode: 0o755 });
    chownTree(home);
    ns = mkdtempSync(join(tmpdir(), 'cpd-passwd-'));
    writeFileSync(join(ns, 'passwd'), `${readFileSync('/etc/passwd', 'utf8')}dev${UID}:x:${UID}:${UID}:dev:${home}:/bin/bash\n`);
    writeFileSync(join(ns, 'group'), `${readFileSync('/etc/group', 'utf8')}dev${UID}:x:${UID}:\n`);
    const socket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : process.env.DOCKER_HOST ? null : '/var/run/docker.sock';
    sockGid = socket ? statSync(socket).gid : null;
    commands = docCommands(readFileSync(join(dir, 'docs/DOCKER.md'), 'utf8'), [SECTION]).map((c) => c.command);
    assert.ok(commands.length >= 4, `"${SECTION}" has its commands: ${commands.join(' | ')}`);
    assert.match(commands[commands.length - 1], /\bdown\b/, 'the last command stops the dev container');
    ready = true;
  });

  test('devcontainer read-configuration reads the file: the compose shell service, entrypoint kept', async () => {
    assert.ok(ready, 'fixture set up');
    const r = await asOwner('devcontainer read-configuration --workspace-folder .');
    assert.is(r.code, 0, show(r));
    const cfg = JSON.parse(r.out.trim().split('\n').pop()!).configuration;
    assert.is(cfg.service, 'shell');
    assert.is(cfg.overrideCommand, false);
    assert.is(cfg.remoteUser, 'builder');
    assert.is(cfg.updateRemoteUserUID, true);
    assert.ok(cfg.customizations.vscode.extensions.includes('platformio.platformio-ide'));
  });

  test('the documented commands run verbatim as the workspace owner: build, up, exec, down', async () => {
    assert.ok(ready, 'fixture set up');
    const [...setup] = commands.slice(0, -1);
    for (const cmd of setup) {
      const r = await asOwner(cmd);
      console.log(`  devcontainer [${SECTION}] exit ${r.code}: ${cmd}`);
      assert.is(r.code, 0, `\`${cmd}\`\n${show(r)}`);
      if (/exec .*pio --version/.test(cmd)) assert.match(r.out, /PlatformIO Core, version/);
    }

    // devcontainer exec: the editor's processes as the workspace owner, in the workspace.
    const probe = `devcontainer exec --workspace-folder . sh -c 'id -u; id -g; pwd; pio --version; echo ok > ${WORKSPACE_FILE}; stat -c %u:%g "$PLATFORMIO_CORE_DIR" "$HOME/.platformio"; grep " $HOME/.platformio " /proc/self/mountinfo | wc -l'`;
    const r = await asOwner(probe);
    assert.is(r.code, 0, show(r));
    const lines = r.out.trim().split('\n').slice(-7);
    assert.equal(lines.slice(0, 3), [String(UID), String(UID), '/workspace'], `exec runs as ${UID}:${UID} in /workspace:\n${r.out}`);
    assert.match(lines[3], /PlatformIO Core, version/);
    assert.equal(lines.slice(4, 6), [`${UID}:${UID}`, `${UID}:${UID}`], 'the cache volume belongs to the user');
    assert.is(lines[6], '1', 'the cache is a mount (the named volume)');
    const st = statSync(join(dir, WORKSPACE_FILE));
    assert.equal([st.uid, st.gid], [UID, UID], 'the file written in the dev container belongs to the workspace owner');

    // The container: the image's entrypoint ran (main process dropped to the owner), the cache volume is compose's.
    const [c] = await docker.listContainers({ filters: JSON.stringify({ label: [`com.docker.compose.project=${NAME}`, 'com.docker.compose.service=shell'] }) });
    assert.ok(c, 'the dev container is the compose shell service of the project');
    const info = await docker.getContainer(c.Id).inspect();
    assert.ok(info.Mounts.some((m) => m.Type === 'volume' && m.Name === `${NAME}-platformio` && m.Destination === '/home/builder/.platformio'), 'the compose cache volume is mounted');
    const top = await docker.getContainer(c.Id).top({ ps_args: '-o pid,uid,args' });
    const procs = top.Processes.map((p: string[]) => p.slice(1).join(' '));
    assert.ok(procs.some((p: string) => /docker-entrypoint/.test(p)), `the entrypoint (under tini) started the container:\n${procs.join('\n')}`);
    assert.ok(procs.some((p: string) => p.startsWith(`${UID} `) && /\bbash$/.test(p)), `the entrypoint dropped the main process to ${UID}:\n${procs.join('\n')}`);

    const down = commands[commands.length - 1];
    const d = await asOwner(down);
    console.log(`  devcontainer [${SECTION}] exit ${d.code}: ${down}`);
    assert.is(d.code, 0, `\`${down}\`\n${show(d)}`);
    const running = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${NAME}`] }) });
    assert.is(running.length, 0, 'the documented down removed the dev container');
  });

  test('cleanup: nothing of the fixture is left', async () => {
    await removeAll();
    assert.equal(await leftovers(), []);
  });

  test.run();
}
