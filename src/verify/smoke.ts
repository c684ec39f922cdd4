// Behaviour checks in real containers. Each check is reported by name with pass/fail and why.
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderContext } from '../render/context.js';
import { describeSkipped, hostDir } from './host-copy.js';
import type { Report } from './report.js';
import type { RunResult, Sandbox } from './sandbox.js';

export interface SmokeOptions {
  c: RenderContext;
  sandbox: Sandbox;
  report: Report;
  projectDir: string;
  /** Built image per target. */
  images: Partial<Record<string, string>>;
  timeoutMs: number;
  /** Network for the firmware build (a real toolchain download needs one). */
  buildNetwork: string;
}

const tail = (r: RunResult, n = 3) =>
  `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-n).join(' | ') || '(no output)'}`;

/** Ids the bind-mount checks play "host user" with: ours, unless we are root. */
function hostIds(): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 4242;
  return uid === 0 ? { uid: 4242, gid: 4243 } : { uid, gid: process.getgid?.() ?? uid };
}

export async function runSmokeChecks(o: SmokeOptions): Promise<void> {
  const { c, sandbox, report, images, timeoutMs } = o;
  const user = c.a.user;
  const dev = images.dev;
  const builder = images.builder;
  const run = (opts: Parameters<Sandbox['run']>[0]) => sandbox.run(opts);
  const skip = (name: string, target: string) => report.add(name, 'skip', `image target ${target} was not built`);

  if (dev) {
    const inspect = await sandbox.docker.getImage(dev).inspect();
    const imageUser = inspect.Config.User || 'root';
    const r = await run({ image: dev, cmd: ['sh', '-c', 'id -u; id -un'], timeoutMs });
    const [uid, name] = r.stdout.trim().split('\n');
    const ok = ['root', '0', '0:0'].includes(imageUser) && r.exitCode === 0 && uid === String(user.uid) && name === user.name;
    report.add('entrypoint: starts as root, runs the command as the user', ok ? 'pass' : 'fail', ok ? `image user ${imageUser}, command ran as ${name} (${uid})` : `image user ${imageUser}; command: ${r.exitCode === 0 ? `ran as ${name} (${uid}), expected ${user.name} (${user.uid})` : tail(r)}`);
  } else skip('entrypoint: starts as root, runs the command as the user', 'dev');

  if (dev) {
    const ids = hostIds();
    const { dir } = hostDir(ids);
    try {
      const r = await run({ image: dev, cmd: ['sh', '-c', `touch ${c.inImage.workspace}/written-by-container && id -u`], env: { HOST_UID: String(ids.uid), HOST_GID: String(ids.gid) }, binds: [`${dir}:${c.inImage.workspace}`], timeoutMs });
      const file = join(dir, 'written-by-container');
      const st = existsSync(file) ? lstatSync(file) : null;
      const ok = r.exitCode === 0 && st !== null && st.uid === ids.uid && st.gid === ids.gid;
      report.add('entrypoint: HOST_UID/HOST_GID own files in /workspace', ok ? 'pass' : 'fail', ok ? `${ids.uid}:${ids.gid}` : st ? `file owned by ${st.uid}:${st.gid}, expected ${ids.uid}:${ids.gid}` : tail(r));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else skip('entrypoint: HOST_UID/HOST_GID own files in /workspace', 'dev');

  if (dev) {
    const volume = await sandbox.volume('cache');
    const mount = [{ name: volume, target: c.cachePath }];
    // Simulate a cache touched by root (an older image, `--user root`): a root-owned file deep in
    // it and a toolchain executable that lost its exec bit.
    const tool = `${c.cachePath}/packages/toolchain-verify/bin/verify-gcc`;
    const deep = `${c.cachePath}/packages/toolchain-verify/lib/deep/file`;
    const prep = await run({ image: dev, user: '0', entrypoint: ['sh', '-c'], cmd: [`mkdir -p $(dirname ${tool}) $(dirname ${deep}) && printf '#!/bin/sh\\necho ok\\n' > ${tool} && chmod 0644 ${tool} && touch ${deep}`], volumes: mount, timeoutMs });
    const r = await run({ image: dev, cmd: ['sh', '-c', `stat -c %u:%g ${c.cachePath} ${deep} ${tool} && test -x ${tool} && ${tool}`], volumes: mount, timeoutMs });
    const owners = r.stdout.trim().split('\n').slice(0, 3);
    const want = `${user.uid}:${user.gid}`;
    const ok = prep.exitCode === 0 && r.exitCode === 0 && owners.every((x) => x === want) && r.stdout.trim().endsWith('ok');
    report.add('entrypoint: cache volume owned by the user, toolchain made executable', ok ? 'pass' : 'fail', ok ? `${c.cachePath} ${want}` : prep.exitCode !== 0 ? `preparing the volume: ${tail(prep)}` : `owners ${owners.join(', ') || '?'} (want ${want}); ${tail(r)}`);

    const marker = `verify-${sandbox.runId}`;
    const w = await run({ image: dev, cmd: ['sh', '-c', `echo ${marker} > ${c.cachePath}/.verify-marker`], volumes: mount, timeoutMs });
    const rd = await run({ image: dev, cmd: ['cat', `${c.cachePath}/.verify-marker`], volumes: mount, timeoutMs });
    const persisted = w.exitCode === 0 && rd.exitCode === 0 && rd.stdout.trim() === marker;
    report.add('cache: a marker written in run 1 is there in run 2', persisted ? 'pass' : 'fail', persisted ? volume : w.exitCode !== 0 ? `write: ${tail(w)}` : `read: ${tail(rd)}`);

    const v = await run({ image: dev, cmd: ['sh', '-c', `${c.tc.versionCommand} && id -un`], volumes: mount, timeoutMs });
    const [version, who] = v.stdout.trim().split('\n');
    report.add(`${c.tc.cli} --version as the user`, v.exitCode === 0 && who === user.name ? 'pass' : 'fail', v.exitCode === 0 ? `${version} (as ${who})` : tail(v));
  } else {
    for (const n of ['entrypoint: cache volume owned by the user, toolchain made executable', 'cache: a marker written in run 1 is there in run 2', `${c.tc.cli} --version as the user`]) skip(n, 'dev');
  }

  if (dev) await checkHealth(o, dev);
  else skip('healthcheck reports healthy', 'dev');

  if (builder) {
    for (const cmd of ['help', 'list']) {
      const r = await run({ image: builder, cmd: [cmd], timeoutMs });
      const missing = cmd === 'list' ? c.envs.filter((e) => !r.stdout.includes(e.name)).map((e) => e.name) : [];
      report.add(`build entrypoint: ${cmd}`, r.exitCode === 0 && missing.length === 0 ? 'pass' : 'fail', r.exitCode !== 0 ? tail(r) : missing.length ? `envs missing from the list: ${missing.join(', ')}` : '');
    }
    await checkFirmwareBuild(o, builder);
  } else {
    for (const n of ['build entrypoint: help', 'build entrypoint: list', `build entrypoint: build -e ${c.defaultEnv} --output`]) skip(n, 'builder');
  }

  if (images.runner) {
    // Without a URL or token the runner must refuse clearly, before any download.
    const r = await run({ image: images.runner, env: { RUNNER_URL: '', RUNNER_TOKEN: '' }, timeoutMs });
    const ok = r.exitCode !== 0 && /RUNNER_URL/.test(r.stderr + r.stdout);
    report.add('runner: refuses to start without RUNNER_URL/token', ok ? 'pass' : 'fail', ok ? `exit ${r.exitCode}` : tail(r));
  }
}

async function checkFirmwareBuild(o: SmokeOptions, builder: string): Promise<void> {
  const { c, sandbox, report, timeoutMs } = o;
  const env = c.defaultEnv;
  const name = `build entrypoint: build -e ${env} --output`;
  if (!existsSync(join(o.projectDir, 'platformio.ini'))) {
    report.add(name, 'skip', 'no platformio.ini in the project');
    return;
  }
  const ids = hostIds();
  let dir: string;
  try {
    const copy = hostDir(ids, o.projectDir);
    dir = copy.dir;
    if (copy.skipped.length) report.warn(`${name}: left out of the project copy: ${describeSkipped(copy.skipped)}`);
  } catch (e) {
    report.add(name, 'fail', `copying the project: ${(e as Error).message}`);
    return;
  }
  try {
    const volume = await sandbox.volume('build');
    const r = await sandbox.run({
      image: builder,
      cmd: ['build', '-e', env, '--output', 'verify-out'],
      env: { HOST_UID: String(ids.uid), HOST_GID: String(ids.gid) },
      binds: [`${dir}:${c.inImage.workspace}`],
      volumes: [{ name: volume, target: c.cachePath }],
      network: o.buildNetwork,
      timeoutMs,
    });
    const built = join(dir, c.tc.buildDir, env);
    const copied = join(dir, 'verify-out', env);
    const firmware = existsSync(built) ? readdirSync(built).filter((f) => f.startsWith('firmware.')) : [];
    const output = existsSync(copied) ? readdirSync(copied) : [];
    const ok = r.exitCode === 0 && firmware.length > 0 && output.length > 0;
    report.add(name, ok ? 'pass' : 'fail', ok ? `${firmware.join(', ')} -> verify-out/${env}/` : r.exitCode !== 0 ? tail(r, 5) : `exit 0 but firmware files: [${firmware.join(', ')}], copied: [${output.join(', ')}]`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function checkHealth(o: SmokeOptions, image: string): Promise<void> {
  const { sandbox, report, timeoutMs } = o;
  const name = 'healthcheck reports healthy';
  const inspect = await sandbox.docker.getImage(image).inspect();
  const test = inspect.Config.Healthcheck?.Test;
  if (!test || test[0] === 'NONE') {
    report.add(name, 'fail', 'the image defines no HEALTHCHECK');
    return;
  }
  // The image's own test command, probed every second instead of its production interval.
  const container = await sandbox.create({ image, cmd: ['sleep', '600'] }, { Healthcheck: { Test: test, Interval: 1e9, Timeout: 10e9, Retries: 3, StartPeriod: 0 } });
  try {
    await container.start();
    const deadline = Date.now() + timeoutMs;
    let status = 'starting';
    while (Date.now() < deadline) {
      status = (await container.inspect()).State.Health?.Status ?? 'none';
      if (status === 'healthy' || status === 'unhealthy') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    report.add(name, status === 'healthy' ? 'pass' : 'fail', status === 'healthy' ? `${test.slice(1).join(' ')}` : `status ${status}`);
  } finally {
    await container.remove({ force: true, v: true }).catch(() => {});
  }
}
