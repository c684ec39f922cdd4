// The generated image at run time, in real containers: who the command runs as (workspace owner,
// HOST_UID, root for a root-owned checkout), a read-only root filesystem, dropped capabilities,
// exec bits in the cache volume, stop signals, the builder's pass-through. The dev and builder
// images are built once with the Python stand-in base image and the PlatformIO TEST STAND-IN
// (served from a local index, as in verify.test.ts). The Dockerfile text checks need no engine.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultAnswers, type Answers, type EnvAnswer } from '../src/core/answers.js';
import { buildImage } from '../src/engine/build.js';
import { FILES, IN_IMAGE } from '../src/core/paths.js';
import { dockerQuote } from '../src/capabilities/template.js';
import { renderAll } from '../src/pipeline/render.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const ENVS: EnvAnswer[] = [
  { name: 'my env', board: 'uno', platform: 'atmelavr' }, // the default env, with a space
  { name: 'native', board: null, platform: 'native' },
];
const ANSWERS: Answers = { ...defaultAnswers('rt', ENVS), runners: { kind: 'none', dev: 0, prod: 0, labels: [] }, ci: 'none' };
const dockerfileOf = (a: Answers) => renderAll(a).find((f) => f.path === FILES.dockerfile)!.content;
/** The instructions of one stage, from its FROM line to the next. */
const stage = (text: string, name: string) => text.match(new RegExp(`^FROM \\S+ AS ${name}\\n[\\s\\S]*?(?=^FROM |(?![\\s\\S]))`, 'm'))?.[0] ?? '';

// --- no engine needed ------------------------------------------------------------------------------

const unit = suite('runtime: the Dockerfile text');

unit('native envs get the host compiler (gcc, g++, make, libc6-dev); no native env, no compiler', () => {
  const dev = stage(dockerfileOf(ANSWERS), 'dev');
  for (const p of ['gcc', 'g\\+\\+', 'make', 'libc6-dev']) assert.match(dev, new RegExp(`^ {6}${p} \\\\$`, 'm'), p);
  const none = dockerfileOf(defaultAnswers('fw', [ENVS[0], { name: 'esp', board: 'esp32dev', platform: 'espressif32' }]));
  assert.not.match(none, /g\+\+|\bgcc\b|libc6-dev/);
});

unit('ARG/ENV defaults are quoted: an env name with a space stays whole', () => {
  const text = dockerfileOf(ANSWERS);
  assert.match(text, /^ARG TARGET_BOARD="my env"$/m);
  assert.match(text, /^ENV TARGET_BOARD="\$\{TARGET_BOARD\}"$/m);
  // Env names are checked (letters, digits, space, _ . -); the quoting holds for anything else too.
  assert.is(dockerQuote('a "b" $HOME\\'), '"a \\"b\\" \\$HOME\\\\"');
  assert.match(dockerfileOf(defaultAnswers('fw', [{ name: 'uno', board: 'uno', platform: 'atmelavr' }])), /^ARG TARGET_BOARD=uno$/m, 'plain names stay bare');
});

unit('tini is PID 1 of dev and builder; HEALTHCHECK only in the long-running runner, run as the user', () => {
  const text = dockerfileOf(ANSWERS);
  assert.match(stage(text, 'dev'), /^ENTRYPOINT \["\/usr\/bin\/tini", "-s", "-g", "--", "\/usr\/local\/bin\/docker-entrypoint"\]$/m);
  assert.match(stage(text, 'builder'), /^ENTRYPOINT \["\/usr\/bin\/tini", "-s", "-g", "--", "\/usr\/local\/bin\/docker-entrypoint", "\/usr\/local\/bin\/pio-build"\]$/m);
  assert.not.match(text, /^HEALTHCHECK/m);
  const withRunner = dockerfileOf({ ...defaultAnswers('fw', ENVS), runners: { kind: 'github', dev: 1, prod: 2, labels: [] } });
  assert.not.match(stage(withRunner, 'dev') + stage(withRunner, 'builder'), /^HEALTHCHECK/m);
  assert.match(stage(withRunner, 'runner'), /^HEALTHCHECK .*\n {4}CMD \["\/usr\/local\/bin\/as-user", "\/opt\/platformio\/bin\/pio", "--version"\]$/m);
});

unit('the entrypoint never edits /etc/passwd or /etc/group', () => {
  const entry = renderAll(ANSWERS).find((f) => f.path === FILES.entrypoint)!.content;
  assert.not.match(entry, /sed -i|usermod|groupmod|>\s*\/etc\/(passwd|group)/);
});

unit.run();

// --- with the engine ---------------------------------------------------------------------------------

const { test, docker } = await engineSuite('runtime (engine)');
const run = randomBytes(3).toString('hex');
const LABEL = `cpd-test-runtime=${run}`;
const DEV = `cpd-test-runtime/dev:${run}`;
const BUILDER = `cpd-test-runtime/builder:${run}`;
const CACHE = `/home/${ANSWERS.user.name}/.platformio`;
const tmp = mkdtempSync(join(tmpdir(), 'cpd-runtime-'));
chmodSync(tmp, 0o755);
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function cli(args: string[], timeoutMs = 60_000): Run {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
/** docker run --rm IMAGE CMD... with the options before the image. */
function drun(opts: string[], image: string, cmd: string[]): Run {
  return cli(['run', '--rm', '--label', LABEL, ...opts, image, ...cmd]);
}
const show = (r: Run) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** A workspace folder owned by uid:gid. */
function workspace(uid: number, gid: number): string {
  const dir = mkdtempSync(join(tmp, 'ws-'));
  chownSync(dir, uid, gid);
  return dir;
}
const owner = (path: string) => `${statSync(path).uid}:${statSync(path).gid}`;
function volume(): string {
  const name = `cpd-test-runtime-${run}-${randomBytes(3).toString('hex')}`;
  const r = cli(['volume', 'create', '--label', LABEL, name]);
  assert.is(r.code, 0, show(r));
  return name;
}
/** Fills a cache volume as root, bypassing the entrypoint (as an older image or `--user root` would). */
function prepare(vol: string, script: string): void {
  const r = drun(['-v', `${vol}:${CACHE}`, '--user', '0', '--entrypoint', 'sh'], DEV, ['-c', `set -e; cd ${CACHE}; ${script}`]);
  assert.is(r.code, 0, show(r));
}

let index: PipIndex;
test.before(async () => {
  const wheels = mkdtempSync(join(tmp, 'wheel-'));
  buildStandinWheel(wheels);
  index = await startPipIndex(wheels);
  const ctx = join(tmp, 'ctx');
  for (const f of renderAll(ANSWERS)) {
    mkdirSync(dirname(join(ctx, f.path)), { recursive: true });
    writeFileSync(join(ctx, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  const buildargs = { BASE_IMAGE: TEST_IMAGES.python, PIP_INDEX_URL: index.url };
  for (const [target, tag] of [['dev', DEV], ['builder', BUILDER]]) {
    await buildImage({ docker, contextDir: ctx, target, tag, buildargs, networkmode: 'host', labels: { 'cpd-test-runtime': run }, nocache: false, timeoutMs: 600_000 });
  }
});

test.after(async () => {
  await index?.close();
  const filters = JSON.stringify({ label: [LABEL] });
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => {});
  for (const i of await docker.listImages({ filters })) await docker.getImage(i.Id).remove({ force: true }).catch(() => {});
});

const WHO = ['sh', '-c', 'id -u; id -g; echo "$HOME"; touch out'];

test('(a) no HOST_UID: the command runs as the workspace owner (files 4242:4243, HOME the user\'s); HOST_UID/HOST_GID win; no workspace: the image user', () => {
  const ws = workspace(4242, 4243);
  let r = drun(['-v', `${ws}:${IN_IMAGE.workspace}`], DEV, WHO);
  assert.is(r.code, 0, show(r));
  assert.equal(r.stdout.split('\n').slice(0, 3), ['4242', '4243', `/home/${ANSWERS.user.name}`], show(r));
  assert.is(owner(join(ws, 'out')), '4242:4243');
  assert.is(r.stderr, '', 'no warning on a plain start');

  chmodSync(ws, 0o777);
  rmSync(join(ws, 'out'));
  r = drun(['-v', `${ws}:${IN_IMAGE.workspace}`, '-e', 'HOST_UID=4300', '-e', 'HOST_GID=4301'], DEV, WHO);
  assert.is(r.code, 0, show(r));
  assert.is(owner(join(ws, 'out')), '4300:4301');
  r = drun(['-e', 'HOST_UID=4300'], DEV, ['id', '-u']);
  assert.is(r.stdout, '4300\n', show(r));
  r = drun([], DEV, ['sh', '-c', 'id -un; id -u; id -Gn']);
  assert.is(r.code, 0, show(r));
  const [name, uid, groups] = r.stdout.trim().split('\n');
  assert.equal([name, uid], [ANSWERS.user.name, String(ANSWERS.user.uid)]);
  assert.match(groups, /\bdialout\b/, 'the image user keeps its supplementary groups');
});

test('(a) workspace owned by root (rootless Docker/Podman): the command runs as root', () => {
  const ws = workspace(0, 0);
  const r = drun(['-v', `${ws}:${IN_IMAGE.workspace}`], DEV, WHO);
  assert.is(r.code, 0, show(r));
  assert.equal(r.stdout.split('\n').slice(0, 2), ['0', '0'], show(r));
  assert.is(owner(join(ws, 'out')), '0:0');
});

test('(b) read-only root filesystem: runs as the workspace owner and writes the cache volume', () => {
  const ws = workspace(4242, 4243);
  const vol = volume();
  const r = drun(['--read-only', '--tmpfs', '/tmp', '-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, [
    'sh', '-c', `id -u && echo x > "$PLATFORMIO_CORE_DIR/marker" && stat -c %u:%g "$PLATFORMIO_CORE_DIR" "$PLATFORMIO_CORE_DIR/marker" && touch out`,
  ]);
  assert.is(r.code, 0, show(r));
  assert.equal(r.stdout.trim().split('\n'), ['4242', '4242:4243', '4242:4243'], show(r));
  assert.is(owner(join(ws, 'out')), '4242:4243');
  assert.is(r.stderr, '', show(r));
  // HOST_UID/HOST_GID given: no /etc/passwd edit needed either.
  const again = drun(['--read-only', '--tmpfs', '/tmp', '-e', 'HOST_UID=4300', '-e', 'HOST_GID=4301', '-v', `${vol}:${CACHE}`], DEV, [
    'sh', '-c', 'id -u && touch "$PLATFORMIO_CORE_DIR/marker2" && stat -c %u:%g "$PLATFORMIO_CORE_DIR/marker" "$PLATFORMIO_CORE_DIR/marker2"',
  ]);
  assert.is(again.code, 0, show(again));
  assert.equal(again.stdout.trim().split('\n'), ['4300', '4300:4301', '4300:4301'], show(again));
});

const CAPS = ['--cap-drop', 'ALL', '--cap-add', 'CHOWN', '--cap-add', 'SETUID', '--cap-add', 'SETGID', '--cap-add', 'DAC_OVERRIDE'];

test('(c) --cap-drop ALL + CHOWN, SETUID, SETGID, DAC_OVERRIDE: runs, re-owns the cache, restores exec bits without FOWNER', () => {
  const ws = workspace(4242, 4243);
  const vol = volume();
  prepare(vol, `mkdir -p packages/tool-x/bin && printf '#!/bin/sh\\necho tool-ok\\n' > packages/tool-x/bin/tool && chmod 0644 packages/tool-x/bin/tool && touch packages/tool-x/root-file`);
  // A first start as 1000 leaves the files owned by 1000: the next start (as 4242) must re-own
  // them and fix the exec bit of a file it does not own as root (no CAP_FOWNER).
  const r1 = drun(['-v', `${vol}:${CACHE}`], DEV, ['true']);
  assert.is(r1.code, 0, show(r1));
  prepare(vol, 'chmod 0644 packages/tool-x/bin/tool');
  const r = drun([...CAPS, '-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, [
    'sh', '-c', `id -u && stat -c %u:%g ${CACHE}/packages/tool-x/root-file ${CACHE}/packages/tool-x/bin/tool && ${CACHE}/packages/tool-x/bin/tool`,
  ]);
  assert.is(r.code, 0, show(r));
  assert.equal(r.stdout.trim().split('\n'), ['4242', '4242:4243', '4242:4243', 'tool-ok'], show(r));
  assert.not.match(r.stderr, /read-only/, 'no false "read-only" blame');
  assert.is(r.stderr, '', show(r));
});

test('(c) a fix that lacks its capability: the warning names it (CAP_CHOWN), not a read-only volume', () => {
  const ws = workspace(4242, 4243);
  const vol = volume();
  prepare(vol, 'mkdir -p packages/tool-y && touch packages/tool-y/root-file');
  const caps = ['--cap-drop', 'ALL', '--cap-add', 'SETUID', '--cap-add', 'SETGID', '--cap-add', 'DAC_OVERRIDE'];
  const r = drun([...caps, '-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, ['id', '-u']);
  assert.is(r.code, 0, show(r));
  assert.is(r.stdout, '4242\n');
  assert.match(r.stderr, /chown is not permitted: the container lacks CAP_CHOWN/, show(r));
  assert.not.match(r.stderr, /read-only/);
  // A read-only volume is called one.
  const ro = drun(['-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}:ro`], DEV, ['id', '-u']);
  assert.is(ro.stdout, '4242\n', show(ro));
  assert.match(ro.stderr, /cannot fix the ownership of everything in \S+: the volume is mounted read-only/, show(ro));
  // Without SETUID the drop itself is impossible: a clear error, not a setpriv trace.
  const noSetuid = drun(['--cap-drop', 'ALL', '-v', `${ws}:${IN_IMAGE.workspace}`], DEV, ['id', '-u']);
  assert.is.not(noSetuid.code, 0);
  assert.match(noSetuid.stderr, /lacks CAP_SETUID\/CAP_SETGID/, show(noSetuid));
});

test('(d) ELF and #! files at a package root get their exec bit (full pass; auto: packages new since the stamp); headers do not', () => {
  const vol = volume();
  const pkg = `${CACHE}/packages`;
  prepare(vol, [
    'mkdir -p packages/tool-esptool packages/toolchain-z/include',
    `printf '#!/bin/sh\\necho esptool-ok\\n' > packages/tool-esptool/esptool`,
    'cp /bin/true packages/toolchain-z/z-gcc',
    `printf '#!not really a header\\n' > packages/toolchain-z/include/a.h`,
    'printf "data\\n" > packages/toolchain-z/notes',
    'chmod 0644 packages/tool-esptool/esptool packages/toolchain-z/z-gcc packages/toolchain-z/include/a.h packages/toolchain-z/notes',
    'chown -R 1000:1000 . && echo 1000:1000 > .create-pio-docker-owner',
  ].join(' && '));
  const perms = `stat -c '%A %n' ${pkg}/tool-esptool/esptool ${pkg}/toolchain-z/z-gcc ${pkg}/toolchain-z/include/a.h ${pkg}/toolchain-z/notes`;
  const r = drun(['-e', 'PIO_FIX_PERMISSIONS=full', '-v', `${vol}:${CACHE}`], DEV, ['sh', '-c', `${perms} && ${pkg}/tool-esptool/esptool && ${pkg}/toolchain-z/z-gcc`]);
  assert.is(r.code, 0, show(r));
  assert.equal(r.stdout.trim().split('\n').map((l) => l.split(' ')[0]), ['-rwxr-xr-x', '-rwxr-xr-x', '-rw-r--r--', '-rw-r--r--', 'esptool-ok'], show(r));

  // auto (the default): a package unpacked after the last pass (by pio, as the user) is looked at
  // on the next start, without a full pass.
  const add = drun(['-v', `${vol}:${CACHE}`], DEV, ['sh', '-c', `mkdir ${pkg}/tool-new && cp /bin/true ${pkg}/tool-new/newtool && chmod 0644 ${pkg}/tool-new/newtool`]);
  assert.is(add.code, 0, show(add));
  const next = drun(['-e', 'ENTRYPOINT_DEBUG=1', '-v', `${vol}:${CACHE}`], DEV, [`${pkg}/tool-new/newtool`]);
  assert.is(next.code, 0, show(next));
  assert.match(next.stderr, /not scanned/, 'no full pass');
  assert.match(next.stderr, /new since the stamp/);
});

test('(d) as root (a root-owned checkout), a package unpacked by one run gets its exec bits at the next run; the next start as a user re-owns', () => {
  const ws = workspace(0, 0);
  const vol = volume();
  const tool = `${CACHE}/packages/tool-rootpkg/roottool`;
  // The first run (as root) unpacks a package with a #! tool at its root and no exec bit, as pio does.
  const add = drun(['-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, ['sh', '-c', `mkdir -p $(dirname ${tool}) && printf '#!/bin/sh\\necho root-ok\\n' > ${tool} && chmod 0644 ${tool}`]);
  assert.is(add.code, 0, show(add));
  const again = drun(['-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, ['sh', '-c', `id -u && ${tool}`]);
  assert.is(again.code, 0, show(again));
  assert.equal(again.stdout.trim().split('\n'), ['0', 'root-ok'], show(again));
  const user = drun(['-v', `${workspace(4242, 4243)}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, ['stat', '-c', '%u:%g', tool]);
  assert.is(user.stdout, '4242:4243\n', show(user));
});

test('(d) a package unpacked by another container while this one looks for executables is looked at by the next start', async () => {
  const ws = workspace(4242, 4243);
  const vol = volume();
  const pkg = `${CACHE}/packages`;
  prepare(vol, `mkdir -p packages/tool-old && printf '#!/bin/sh\\n' > packages/tool-old/old && chmod 0644 packages/tool-old/old`);
  // python3 (which reads the first bytes of the files found) says when the look has begun, then
  // waits: meanwhile another container unpacks a package.
  mkdirSync(join(ws, 'wrap'));
  writeFileSync(join(ws, 'wrap', 'python3'), `#!/bin/sh\ntouch ${IN_IMAGE.workspace}/looking\nsleep 4\nPATH=\${PATH#*:} exec python3 "$@"\n`, { mode: 0o755 });
  chownSync(join(ws, 'wrap'), 4242, 4243);
  const path = `PATH=${IN_IMAGE.workspace}/wrap:/opt/platformio/bin:/usr/local/bin:/usr/bin:/bin`;
  const slow = spawn('docker', ['run', '--rm', '--label', LABEL, '-e', path, '-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`, DEV, 'true'], { stdio: 'ignore' });
  const slowDone = new Promise<number>((resolve) => slow.on('close', (code) => resolve(code ?? -1)));
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(ws, 'looking'))) {
    assert.ok(Date.now() < deadline, 'the first start never looked for executables');
    await new Promise((r) => setTimeout(r, 100));
  }
  prepare(vol, `mkdir -p packages/tool-late && printf '#!/bin/sh\\necho late-ok\\n' > packages/tool-late/late && chmod 0644 packages/tool-late/late && chown -R 4242:4243 packages/tool-late`);
  assert.is(await slowDone, 0, 'the first start');
  const next = drun(['-e', 'ENTRYPOINT_DEBUG=1', '-v', `${ws}:${IN_IMAGE.workspace}`, '-v', `${vol}:${CACHE}`], DEV, [`${pkg}/tool-late/late`]);
  assert.is(next.code, 0, show(next));
  assert.is(next.stdout, 'late-ok\n');
  assert.match(next.stderr, /not scanned/, 'no full pass: the stamp found it');
});

test('(e) docker stop of a running command ends it at once with SIGTERM (exit 143), also a build through pio-build', async () => {
  const ws = workspace(4242, 4243);
  mkdirSync(join(ws, 'fake-bin'));
  // A build that takes a while: pio-build runs `pio run` as a child, which runs a compiler-like child.
  writeFileSync(join(ws, 'fake-bin', 'pio'), '#!/bin/sh\necho fake-pio-started\nsleep 60\n', { mode: 0o755 });
  const cases: [string, string[], string[]][] = [
    ['dev: sleep 60', [DEV], ['sleep', '60']],
    ['builder: build', ['-e', `PATH=${IN_IMAGE.workspace}/fake-bin:/opt/platformio/bin:/usr/local/bin:/usr/bin:/bin`, BUILDER], ['build', '-e', 'native']],
  ];
  for (const [what, image, cmd] of cases) {
    const started = cli(['run', '-d', '--label', LABEL, '-v', `${ws}:${IN_IMAGE.workspace}`, ...image, ...cmd]);
    assert.is(started.code, 0, show(started));
    const container = docker.getContainer(started.stdout.trim());
    try {
      // Wait until the command itself runs (the entrypoint has exec'd into it).
      const deadline = Date.now() + 20_000;
      for (;;) {
        const top = await container.top({ ps_args: '-o pid,comm' }).catch(() => ({ Processes: [] as string[][] }));
        if ((top.Processes ?? []).some((p: string[]) => p.join(' ').includes('sleep'))) break;
        assert.ok(Date.now() < deadline, `${what}: the command never started: ${show(cli(['logs', started.stdout.trim()]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const t0 = Date.now();
      await container.stop({ t: 10 });
      const ms = Date.now() - t0;
      const state = (await container.inspect()).State;
      // 1 s is what the issue asks for: SIGTERM reaches the command at once; a missed signal
      // takes the full 10 s and ends with 137.
      assert.ok(ms <= 1000, `${what}: docker stop took ${ms} ms (exit ${state.ExitCode})`);
      assert.is(state.ExitCode, 143, `${what}: exit code`);
    } finally {
      await container.remove({ force: true }).catch(() => {});
    }
  }
});

test('builder: a program runs as it is (sh -c), build commands go to pio-build, TARGET_BOARD keeps its space', () => {
  const ws = workspace(4242, 4243);
  let r = drun(['-v', `${ws}:${IN_IMAGE.workspace}`], BUILDER, ['sh', '-c', 'echo "board=$TARGET_BOARD"; id -u']);
  assert.is(r.code, 0, show(r));
  assert.is(r.stdout, 'board=my env\n4242\n');
  r = drun([], BUILDER, ['list']);
  assert.is(r.stdout, 'my env\nnative\n', show(r));
  r = drun([], BUILDER, ['--version']);
  assert.match(r.stdout, /PlatformIO Core, version .* \(test stand-in\)/, show(r));
});

test('as-user: docker exec runs as the same uid:gid as the command, so no root-owned files', () => {
  const ws = workspace(4242, 4243);
  const started = cli(['run', '-d', '--label', LABEL, '-v', `${ws}:${IN_IMAGE.workspace}`, DEV, 'sleep', '60']);
  assert.is(started.code, 0, show(started));
  const id = started.stdout.trim();
  try {
    const r = cli(['exec', id, 'as-user', 'sh', '-c', 'id -u; echo "$HOME"; touch from-exec']);
    assert.is(r.code, 0, show(r));
    assert.is(r.stdout, `4242\n/home/${ANSWERS.user.name}\n`);
    assert.is(owner(join(ws, 'from-exec')), '4242:4243');
  } finally {
    cli(['rm', '-f', id]);
  }
});

test('native envs: the image has the host compiler', () => {
  const r = drun([], DEV, ['sh', '-c', 'g++ --version >/dev/null && make --version >/dev/null && echo ok']);
  assert.is(r.stdout, 'ok\n', show(r));
});

test.run();
