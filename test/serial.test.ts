// Serial and USB boards on the engine: the generated dev image's entrypoint gives the user it drops
// to the group of each device passed in, whatever its gid, and never root's group.
// - `--serial devices`: a spare character device (mknod c 1 3, the null device, root:4321 0660) is
//   passed as /dev/ttyUSB0 (and as another path named by SERIAL_DEVICES); the user (workspace owner
//   1234, not in that group) gets group 4321 and can open it for writing.
// - `--serial dev`: the generated compose shell service itself (`run --rm shell`), the host's /dev
//   bound with the generated device cgroup rules. A node made in the host's /dev with the ttyUSB
//   major (188, no such device) and gid 4322 is seen, the user gets 4322, and opening it fails with
//   "No such device or address" (permission and cgroup passed, only the hardware is missing), while
//   a node of a major outside the rules fails with "Operation not permitted" (the cgroup).
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { defaultAnswers, type Answers } from '../src/core/answers.js';
import { buildImage } from '../src/engine/build.js';
import { FILES } from '../src/core/paths.js';
import { renderAll } from '../src/pipeline/render.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const { test, docker } = await engineSuite('serial and USB devices (engine)');

const NAME = `serial-h14-${process.pid}`;
const DEV = `${NAME}-pio:dev`;
const UID = 1234;
const LABEL = `cpd-test-serial=${NAME}`;
const answers = (serial: Answers['serial']): Answers => ({
  ...defaultAnswers(NAME, [{ name: 'uno', board: 'uno', platform: 'atmelavr' }]),
  runners: { kind: 'none', dev: 0, prod: 0, labels: [] },
  serial,
});

const tmp = mkdtempSync(join(tmpdir(), 'cpd-serial-'));
chmodSync(tmp, 0o755);
const hostNodes: string[] = [];
let index: PipIndex | undefined;

function sh(cmd: string, args: string[], cwd?: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The rendered project in a folder owned by the workspace owner. */
function project(serial: Answers['serial']): string {
  const dir = join(tmp, serial, NAME);
  for (const f of renderAll(answers(serial))) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  chownSync(dir, UID, UID);
  return dir;
}

function mknod(path: string, major: number, minor: number, gid: number): void {
  const r = sh('mknod', ['-m', '0660', path, 'c', String(major), String(minor)]);
  assert.is(r.code, 0, r.out);
  chownSync(path, 0, gid);
}

/** Prints the user's groups, then tries to open each path for writing. */
const PROBE = 'id -u; id -G; for d in "$@"; do if (: >"$d") 2>/dev/null; then echo "open $d"; else (: >"$d") 2>&1 | sed "s/.*: //;s/^/fail /"; fi; done';

test.before(async () => {
  const wheels = join(tmp, 'wheels');
  mkdirSync(wheels);
  buildStandinWheel(wheels);
  index = await startPipIndex(wheels);
  const ctx = project('none');
  await buildImage({ docker, contextDir: ctx, target: 'dev', tag: DEV, buildargs: { BASE_IMAGE: TEST_IMAGES.python, PIP_INDEX_URL: index.url }, networkmode: 'host', labels: { 'cpd-test-serial': NAME }, nocache: false, timeoutMs: 600_000 });
});

test.after(async () => {
  await index?.close();
  for (const n of hostNodes) rmSync(n, { force: true });
  const filters = JSON.stringify({ label: [LABEL] });
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${NAME}`] }) })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  for (const n of await docker.listNetworks()) if (n.Name.startsWith(`${NAME}_`)) await docker.getNetwork(n.Id).remove().catch(() => {});
  await docker.getVolume(`${NAME}-platformio`).remove({ force: true }).catch(() => {});
  await docker.getImage(DEV).remove({ force: true }).catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
});

test('--device: the user gets the group of the device passed in (also a SERIAL_DEVICES path), and opens it', () => {
  const ws = project('devices');
  const node = join(tmp, 'spare-null');
  mknod(node, 1, 3, 4321);
  const root = join(tmp, 'root-null');
  mknod(root, 1, 3, 0);
  const r = sh('docker', ['run', '--rm', '--label', LABEL, '-v', `${ws}:/workspace`, '--device', `${node}:/dev/ttyUSB0`, '--device', `${node}:/dev/ttyS7`, '--device', `${root}:/dev/ttyACM0`, '-e', 'SERIAL_DEVICES=/dev/ttyS7', DEV, 'bash', '-c', PROBE, '-', '/dev/ttyUSB0', '/dev/ttyS7', '/dev/ttyACM0']);
  assert.is(r.code, 0, r.out);
  const [uid, groups, ...opens] = r.out.trim().split('\n');
  assert.is(uid, String(UID), 'runs as the workspace owner');
  assert.ok(groups.split(' ').includes('4321'), `the device's group is added: ${groups}`);
  assert.not.ok(groups.split(' ').includes('0'), `root's group is never added: ${groups}`);
  assert.equal(opens, ['open /dev/ttyUSB0', 'open /dev/ttyS7', 'fail Permission denied'], r.out);
});

test('--serial dev: run --rm shell sees devices made later in the host /dev; only the serial/USB majors open', () => {
  const dir = project('dev');
  const compose = parse(renderAll(answers('dev')).find((f) => f.path === FILES.composeBuild)!.content, { merge: true });
  const rules: string[] = compose.services.shell.device_cgroup_rules;
  assert.ok(rules.includes('c 188:* rmw'), `ttyUSB major allowed: ${rules}`);
  // Made on the host after the file was written, as a board plugged in (or re-enumerated) would be.
  const usb = `/dev/ttyUSBh14x${process.pid}`;
  const other = `/dev/ttyACMh14x${process.pid}`;
  hostNodes.push(usb, other);
  mknod(usb, 188, 250, 4322);
  mknod(other, 7, 250, 4323); // a major outside the rules and outside the engine's defaults
  const r = sh('docker', ['compose', '-f', FILES.composeBuild, 'run', '--rm', '-T', 'shell', 'bash', '-c', PROBE, '-', usb, other], dir);
  assert.is(r.code, 0, r.out);
  const lines = r.out.trim().split('\n').filter((l) => /^\d|^open |^fail /.test(l));
  const [uid, groups, ...opens] = lines;
  assert.is(uid, String(UID), r.out);
  assert.ok(groups.split(' ').includes('4322') && groups.split(' ').includes('4323'), `device groups added: ${groups}`);
  assert.equal(opens, [`fail No such device or address`, `fail Operation not permitted`], r.out);
  sh('docker', ['compose', '-f', FILES.composeBuild, '--profile', 'shell', 'down'], dir);
});

test("--serial dev: /dev/shm is the shell's own tmpfs, not the host's through the /dev mount", () => {
  const dir = project('dev');
  // compose v2 reads the tmpfs entry as the generated file means it.
  const cfg = sh('docker', ['compose', '-f', FILES.composeBuild, '--profile', 'shell', 'config', '--format', 'json'], dir);
  assert.is(cfg.code, 0, cfg.out);
  const shell = JSON.parse(cfg.out).services.shell;
  assert.equal(shell.tmpfs, ['/dev/shm:mode=1777,size=64m'], cfg.out);
  assert.ok(shell.volumes.some((v: { source: string; target: string }) => v.source === '/dev' && v.target === '/dev'), 'the host /dev is still bound');
  const name = `cpd-shm-${process.pid}`;
  const host = join('/dev/shm', name);
  hostNodes.push(host);
  rmSync(host, { force: true });
  // As the workspace owner (the entrypoint drops to it): writes there, and sees a tmpfs of 64 MiB.
  const r = sh('docker', ['compose', '-f', FILES.composeBuild, 'run', '--rm', '-T', 'shell', 'bash', '-c', 'id -u; echo in-container > "/dev/shm/$1" && cat "/dev/shm/$1"; df -k --output=size /dev/shm | tail -n 1; [ -d /dev/bus ] || [ -c /dev/null ] && echo dev-ok', '-', name], dir);
  assert.is(r.code, 0, r.out);
  const lines = r.out.trim().split('\n').map((l) => l.trim());
  assert.ok(lines.includes(String(UID)) && lines.includes('in-container') && lines.includes('65536') && lines.includes('dev-ok'), r.out);
  assert.not.ok(existsSync(host), `${host} appeared on the host`);
  sh('docker', ['compose', '-f', FILES.composeBuild, '--profile', 'shell', 'down'], dir);
});

test.run();
