// Behaviour checks in real containers. Each check is reported by name with pass/fail and why.
// Independent checks run at the same time (each in its own containers, project copy and volumes);
// the table keeps their declared order.
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { RenderContext } from './render/context.js';
import { chooseFailEnv } from './fail-env.js';
import { describeSkipped, hostDir, hostIds, wrongOwners, type Ids } from '../../verify/host-copy.js';
import type { Report } from '../../verify/report.js';
import { waitForProcess, type RunOptions, type RunResult, type Sandbox } from '../../verify/sandbox.js';
import { ENGINE_HARDENING } from '../../capabilities/hardening.js';
import { STOP_LIMIT_MS, stopAndJudge } from '../../verify/stop.js';

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

/** Check names, as they appear in the table and in `--json`. */
export const CHECKS = {
  user: 'entrypoint: starts as root, runs the command as the user',
  hostUid: 'entrypoint: HOST_UID/HOST_GID own files in /workspace',
  owner: 'files: owned by the workspace owner without HOST_UID',
  cacheOwner: 'entrypoint: cache volume owned by the user, toolchain made executable',
  cacheMarker: 'cache: a marker written in run 1 is there in run 2',
  runnerHealth: 'healthcheck: runner reports healthy',
  noHealth: 'healthcheck: none in dev and builder (one-shot containers)',
  help: 'build entrypoint: help',
  list: 'build entrypoint: list',
  native: 'native: build and test',
  failingEnv: 'build: a failing env exits non-zero',
  all: 'all: one failing env fails the run, the others still build',
  stop: 'stop: docker stop ends a build within 1 s',
  hardened: 'hardened: caps dropped, no-new-privileges, read-only root',
  exec: 'exec: as-user runs as the workspace owner',
  runnerRefuses: 'runner: refuses to start without RUNNER_URL/token',
} as const;

/** How the generated compose build services run the builder (compose.build.yaml), with a read-only root filesystem. */
export const HARDENED: Docker.HostConfig = {
  ...ENGINE_HARDENING,
  ReadonlyRootfs: true,
  Tmpfs: { '/tmp': '' },
};

const tail = (r: RunResult, n = 3) =>
  `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-n).join(' | ') || '(no output)'}`;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));


export async function runSmokeChecks(o: SmokeOptions): Promise<void> {
  const { c, sandbox, report, images, timeoutMs } = o;
  const user = c.a.user;
  const { dev, builder, runner } = images;
  const ws = c.inImage.workspace;
  const ids = hostIds();
  const run = (opts: RunOptions) => sandbox.run(opts);
  const notBuilt = (target: string) => `image target ${target} was not built`;
  const env = c.defaultEnv;
  const isNative = (name: string) => c.envs.find((e) => e.name === name)?.platform === 'native';
  const hasIni = existsSync(join(o.projectDir, c.projectPath('platformio.ini')));
  const firmwareName = `build entrypoint: build -e ${env} --output`;
  const versionName = `${c.tc.cli} --version as the user`;

  /**
   * A temp folder owned by the "host" user, with a copy of the project when `copy` is set; removed
   * after `fn`. A copy that cannot be made fails `name`.
   */
  const withDir = async (name: string, copy: boolean, fn: (dir: string) => Promise<void>): Promise<void> => {
    let dir: string;
    try {
      const made = hostDir(ids, copy ? o.projectDir : undefined);
      dir = made.dir;
      if (made.skipped.length) report.warn(`${name}: left out of the project copy: ${describeSkipped(made.skipped)}`);
    } catch (e) {
      report.add(name, 'fail', `copying the project: ${(e as Error).message}`);
      return;
    }
    sandbox.hostDirs.add(dir);
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      sandbox.hostDirs.delete(dir);
    }
  };

  /** What a built env leaves in `.pio/build/ENV`: `program` for native envs, else `firmware.*`. */
  const artifacts = (dir: string, name: string): string[] => {
    const built = join(dir, c.projectPath(c.tc.buildDir), name);
    if (!existsSync(built)) return [];
    return readdirSync(built).filter((f) => (isNative(name) ? f === 'program' : f.startsWith('firmware.')));
  };

  // The firmware check fills this cache volume; the build checks after it reuse it, so a real
  // toolchain is downloaded once, not once per check.
  let buildVolume: Promise<string> | undefined;
  const sharedVolume = () => (buildVolume ??= sandbox.volume('build'));
  // Containers on the shared volume take turns (checks otherwise run in parallel): two first
  // installs of a toolchain into one volume at once race, which a team's builds never do.
  let sharedTurn: Promise<unknown> = Promise.resolve();
  const onSharedVolume = <T>(fn: () => Promise<T>): Promise<T> => {
    const mine = sharedTurn.then(fn, fn);
    sharedTurn = mine.catch(() => undefined);
    return mine;
  };
  // Settles when the firmware check is over (or skipped), whatever its result.
  let firmwareOver: () => void = () => {};
  const firmwareDone = new Promise<void>((resolve) => (firmwareOver = resolve));

  const checks: { names: string[]; run: () => Promise<void> }[] = [];
  const check = (names: string[], fn: () => Promise<void>) => checks.push({ names, run: fn });

  check([CHECKS.user], async () => {
    if (!dev) return report.add(CHECKS.user, 'skip', notBuilt('dev'));
    const inspect = await sandbox.docker.getImage(dev).inspect();
    const imageUser = inspect.Config.User || 'root';
    const r = await run({ image: dev, cmd: ['sh', '-c', 'id -u; id -un'], timeoutMs });
    const [uid, name] = r.stdout.trim().split('\n');
    const ok = ['root', '0', '0:0'].includes(imageUser) && r.exitCode === 0 && uid === String(user.uid) && name === user.name;
    report.add(CHECKS.user, ok ? 'pass' : 'fail', ok ? `image user ${imageUser}, command ran as ${name} (${uid})` : `image user ${imageUser}; command: ${r.exitCode === 0 ? `ran as ${name} (${uid}), expected ${user.name} (${user.uid})` : tail(r)}`);
  });

  check([CHECKS.hostUid], async () => {
    if (!dev) return report.add(CHECKS.hostUid, 'skip', notBuilt('dev'));
    await withDir(CHECKS.hostUid, false, async (dir) => {
      const r = await run({ image: dev, cmd: ['sh', '-c', `touch ${ws}/written-by-container && id -u`], env: { HOST_UID: String(ids.uid), HOST_GID: String(ids.gid) }, binds: [`${dir}:${ws}`], timeoutMs });
      const file = join(dir, 'written-by-container');
      const st = existsSync(file) ? lstatSync(file) : null;
      const ok = r.exitCode === 0 && st !== null && st.uid === ids.uid && st.gid === ids.gid;
      report.add(CHECKS.hostUid, ok ? 'pass' : 'fail', ok ? `${ids.uid}:${ids.gid}` : st ? `file owned by ${st.uid}:${st.gid}, expected ${ids.uid}:${ids.gid}` : tail(r));
    });
  });

  // `docker compose run --rm ENV` as a team member runs it: HOST_UID/HOST_GID empty (compose's
  // `${HOST_UID:-}`), the checkout owned by whoever cloned it.
  check([CHECKS.owner], async () => {
    const image = builder ?? dev;
    if (!image) return report.add(CHECKS.owner, 'skip', notBuilt('builder or dev'));
    if (builder && !hasIni) return report.add(CHECKS.owner, 'skip', 'no platformio.ini in the project');
    await firmwareDone;
    await withDir(CHECKS.owner, Boolean(builder), async (dir) => {
      const cmd = builder
        ? ['sh', '-c', 'touch written-by-container && exec pio-build build -e "$1"', 'sh', env]
        : ['sh', '-c', 'touch written-by-container && mkdir -p made-by-container/sub && touch made-by-container/sub/file'];
      const r = await onSharedVolume(async () => run({
        image,
        cmd,
        env: { HOST_UID: '', HOST_GID: '' },
        binds: [`${dir}:${ws}`],
        volumes: builder ? [{ name: await sharedVolume(), target: c.cachePath }] : [],
        network: builder ? o.buildNetwork : undefined,
        timeoutMs,
      }));
      // Written in the working directory: the project folder (a subfolder of the mounted repo, maybe).
      const made = (builder ? ['written-by-container', '.pio'] : ['written-by-container', 'made-by-container']).map((f) => c.projectPath(f));
      const missing = made.filter((f) => !existsSync(join(dir, f)));
      const wrong = made.flatMap((f) => wrongOwners(join(dir, f), ids).map((w) => (w.startsWith('. ') ? `${f}${w.slice(1)}` : `${f}/${w}`)));
      const ok = r.exitCode === 0 && missing.length === 0 && wrong.length === 0;
      const what = builder ? `build -e ${env}` : 'touch';
      const why = !ok && (wrong.length ? `owned by other ids than ${ids.uid}:${ids.gid}: ${wrong.join(', ')}` : r.exitCode !== 0 ? tail(r, 5) : `not written: ${missing.join(', ')}`);
      report.add(CHECKS.owner, ok ? 'pass' : 'fail', ok ? `${what} with HOST_UID/HOST_GID empty: ${made.join(', ')} are ${ids.uid}:${ids.gid}` : String(why));
    });
  });

  const cacheNames = [CHECKS.cacheOwner, CHECKS.cacheMarker, versionName];
  check(cacheNames, async () => {
    if (!dev) {
      for (const n of cacheNames) report.add(n, 'skip', notBuilt('dev'));
      return;
    }
    const volume = await sandbox.volume('cache');
    const mount = [{ name: volume, target: c.cachePath }];
    // Simulate a cache touched by root (an older image, `--user root`): a root-owned file deep in
    // it and a toolchain executable that lost its exec bit.
    const tool = `${c.cachePath}/packages/toolchain-verify/bin/verify-gcc`;
    const deep = `${c.cachePath}/packages/toolchain-verify/lib/deep/file`;
    const prep = await run({ image: dev, user: '0', entrypoint: ['sh', '-c'], cmd: [`mkdir -p $(dirname ${tool}) $(dirname ${deep}) && printf '#!/bin/sh\\necho ok\\n' > ${tool} && chmod 0644 ${tool} && touch ${deep}`], volumes: mount, timeoutMs });
    // Run 1 checks the fixes and writes a marker; run 2 reads it back and asks the tool's version.
    const marker = `verify-${sandbox.runId}`;
    const r = await run({ image: dev, cmd: ['sh', '-c', `stat -c %u:%g ${c.cachePath} ${deep} ${tool} && test -x ${tool} && ${tool} && echo ${marker} > ${c.cachePath}/.verify-marker`], volumes: mount, timeoutMs });
    const owners = r.stdout.trim().split('\n').slice(0, 3);
    const want = `${user.uid}:${user.gid}`;
    const ok = prep.exitCode === 0 && r.exitCode === 0 && owners.every((x) => x === want) && r.stdout.trim().endsWith('ok');
    report.add(CHECKS.cacheOwner, ok ? 'pass' : 'fail', ok ? `${c.cachePath} ${want}` : prep.exitCode !== 0 ? `preparing the volume: ${tail(prep)}` : `owners ${owners.join(', ') || '?'} (want ${want}); ${tail(r)}`);

    const v = await run({ image: dev, cmd: ['sh', '-c', `cat ${c.cachePath}/.verify-marker && ${c.tc.versionCommand} && id -un`], volumes: mount, timeoutMs });
    const [read, version, who] = v.stdout.trim().split('\n');
    const persisted = r.exitCode === 0 && read === marker;
    report.add(CHECKS.cacheMarker, persisted ? 'pass' : 'fail', persisted ? volume : r.exitCode !== 0 ? `write: ${tail(r)}` : `read: ${tail(v)}`);
    const versionOk = v.exitCode === 0 && who === user.name && version !== undefined;
    report.add(versionName, versionOk ? 'pass' : 'fail', versionOk ? `${version} (as ${who})` : tail(v));
  });

  check([CHECKS.runnerHealth], async () => {
    if (!runner) return report.add(CHECKS.runnerHealth, 'skip', `${notBuilt('runner')} (only the runner image has a HEALTHCHECK)`);
    await checkRunnerHealth(o, runner);
  });

  check([CHECKS.noHealth], async () => {
    const oneShot = Object.entries({ dev, builder }).filter((e): e is [string, string] => Boolean(e[1]));
    if (!oneShot.length) return report.add(CHECKS.noHealth, 'skip', notBuilt('dev or builder'));
    const withHealth: string[] = [];
    for (const [target, image] of oneShot) {
      const test = (await sandbox.docker.getImage(image).inspect()).Config.Healthcheck?.Test;
      if (test && test[0] !== 'NONE') withHealth.push(`${target} (${test.slice(1).join(' ')})`);
    }
    report.add(CHECKS.noHealth, withHealth.length ? 'fail' : 'pass', withHealth.length
      ? `a HEALTHCHECK in ${withHealth.join(', ')}: dev and builder containers are one-shot, a probe only adds load (and runs as root): keep it in the runner image`
      : `${oneShot.map(([t]) => t).join(', ')}: none`);
  });

  for (const cmd of ['help', 'list'] as const) {
    const name = cmd === 'help' ? CHECKS.help : CHECKS.list;
    check([name], async () => {
      if (!builder) return report.add(name, 'skip', notBuilt('builder'));
      const r = await run({ image: builder, cmd: [cmd], timeoutMs });
      const missing = cmd === 'list' ? c.envs.filter((e) => !r.stdout.includes(e.name)).map((e) => e.name) : [];
      report.add(name, r.exitCode === 0 && missing.length === 0 ? 'pass' : 'fail', r.exitCode !== 0 ? tail(r) : missing.length ? `envs missing from the list: ${missing.join(', ')}` : '');
    });
  }

  check([firmwareName], async () => {
    try {
      if (!builder) return report.add(firmwareName, 'skip', notBuilt('builder'));
      await onSharedVolume(() => checkFirmwareBuild(o, builder, ids, withDir, sharedVolume, artifacts, isNative(env)));
    } finally {
      firmwareOver();
    }
  });

  check([CHECKS.native], async () => {
    const nativeEnv = c.envs.find((e) => e.platform === 'native')?.name;
    if (!nativeEnv) return report.add(CHECKS.native, 'skip', 'no native env (platform = native)');
    if (!builder) return report.add(CHECKS.native, 'skip', notBuilt('builder'));
    if (!hasIni) return report.add(CHECKS.native, 'skip', 'no platformio.ini in the project');
    await withDir(CHECKS.native, true, async (dir) => {
      const hasTests = existsSync(join(dir, c.projectPath('test')));
      const script = `pio-build build -e "$1" || exit 10; ${hasTests ? 'echo "== pio test -e $1"; pio test -e "$1" || exit 11' : ''}`;
      const r = await onSharedVolume(async () => run({ image: builder, cmd: ['sh', '-c', script, 'sh', nativeEnv], binds: [`${dir}:${ws}`], volumes: [{ name: await sharedVolume(), target: c.cachePath }], network: o.buildNetwork, timeoutMs }));
      const program = join(c.projectPath(c.tc.buildDir), nativeEnv, 'program');
      const built = existsSync(join(dir, program));
      if (r.exitCode === 10 || !built) return report.add(CHECKS.native, 'fail', `build -e ${nativeEnv}: ${built ? '' : `no ${program}; `}${tail(r, 8)}`);
      if (!hasTests) return report.add(CHECKS.native, 'skip', `build -e ${nativeEnv} made ${program}; no test/ folder, so pio test was not run`);
      report.add(CHECKS.native, r.exitCode === 0 ? 'pass' : 'fail', r.exitCode === 0 ? `${program}; pio test -e ${nativeEnv} exit 0` : `pio test -e ${nativeEnv}: ${tail(r, 5)}`);
    });
  });

  check([CHECKS.failingEnv], async () => {
    const failEnv = isNative(env) ? c.envs.find((e) => e.platform !== 'native')?.name : env;
    if (!failEnv) return report.add(CHECKS.failingEnv, 'skip', 'every env is native (the check needs an embedded env)');
    if (!builder) return report.add(CHECKS.failingEnv, 'skip', notBuilt('builder'));
    if (!hasIni) return report.add(CHECKS.failingEnv, 'skip', 'no platformio.ini in the project');
    await firmwareDone;
    await withDir(CHECKS.failingEnv, true, async (dir) => {
      const text = `verify: deliberate failure ${sandbox.runId}`;
      const src = join(dir, c.projectPath('src'));
      if (!existsSync(src)) mkdirSync(src);
      writeFileSync(join(src, `cpd_verify_fail_${sandbox.runId}.cpp`), `#error ${text}\n`, { flag: 'wx' });
      const r = await onSharedVolume(async () => run({ image: builder, cmd: ['build', '-e', failEnv], binds: [`${dir}:${ws}`], volumes: [{ name: await sharedVolume(), target: c.cachePath }], network: o.buildNetwork, timeoutMs }));
      const shown = (r.stdout + r.stderr).includes(text);
      const ok = r.exitCode !== 0 && r.exitCode !== -1 && shown;
      report.add(CHECKS.failingEnv, ok ? 'pass' : 'fail', ok
        ? `build -e ${failEnv} with an #error in src/: exit ${r.exitCode}, the error is in the output`
        : r.exitCode === 0 ? `build -e ${failEnv} with an #error in src/ exited 0` : `the #error text is not in the output; ${tail(r, 5)}`);
    });
  });

  check([CHECKS.all], async () => {
    if (c.envs.length < 2) return report.add(CHECKS.all, 'skip', 'one env only');
    if (!builder) return report.add(CHECKS.all, 'skip', notBuilt('builder'));
    if (!hasIni) return report.add(CHECKS.all, 'skip', 'no platformio.ini in the project');
    await firmwareDone;
    await checkAll(o, builder, withDir, sharedVolume, artifacts, isNative, onSharedVolume);
  });

  // Timing under the load of the other checks: a stop that ends the command with 143 but late is
  // measured again once they are over (a missing init takes the full 10 s and 137 either way).
  let stopAgain: (() => Promise<void>) | undefined;
  const stopCheck = async (retry: boolean): Promise<void> => {
    const image = builder ?? dev;
    if (!image) return report.add(CHECKS.stop, 'skip', notBuilt('builder or dev'));
    await withDir(CHECKS.stop, false, async (dir) => {
      // The path a build takes (init, entrypoint, setpriv, the command), with `sleep` as the build,
      // as the checkout's owner with compose's capabilities (tini needs KILL to signal it). No
      // docker init (compose adds one): the image's own tini must forward, as under `docker run`.
      const container = await sandbox.create({ image, cmd: ['sleep', '30'], binds: [`${dir}:${ws}`], hostConfig: ENGINE_HARDENING });
      try {
        await container.start();
        if (!(await waitForProcess(container, /^sleep 30$/, Math.min(timeoutMs, 20_000)))) {
          const logs = await container.logs({ stdout: true, stderr: true }).catch(() => Buffer.alloc(0));
          return report.add(CHECKS.stop, 'fail', `sleep 30 never started: ${String(logs).trim().slice(-300) || '(no output)'}`);
        }
        const { ms, code, ok, why } = await stopAndJudge(container, STOP_LIMIT_MS);
        if (!retry && code === 143 && ms > STOP_LIMIT_MS && ms < 5000) {
          stopAgain = () => stopCheck(true);
          return;
        }
        report.add(CHECKS.stop, ok ? 'pass' : 'fail', ok ? `exit 143 in ${ms} ms${retry ? ' (measured again after the other checks)' : ''}` : why);
      } finally {
        await container.remove({ force: true, v: true }).catch(() => {});
      }
    });
  };
  check([CHECKS.stop], () => stopCheck(false));

  check([CHECKS.hardened], async () => {
    if (!builder) return report.add(CHECKS.hardened, 'skip', notBuilt('builder'));
    if (!hasIni) return report.add(CHECKS.hardened, 'skip', 'no platformio.ini in the project');
    await withDir(CHECKS.hardened, true, async (dir) => {
      // A fresh volume, as on a first `docker compose run`: the entrypoint must own it with the
      // capabilities left. Two builds: the second runs what the first installed into the cache.
      const volume = await sandbox.volume('hardened');
      const script = `echo "ids $(id -u):$(id -g)"; touch "${c.cachePath}/.verify-hardened" && exec pio-build build -e "$1"`;
      const opts: RunOptions = { image: builder, cmd: ['sh', '-c', script, 'sh', env], binds: [`${dir}:${ws}`], volumes: [{ name: volume, target: c.cachePath }], network: o.buildNetwork, hostConfig: HARDENED, timeoutMs };
      const runs = [await run(opts)];
      if (runs[0].exitCode === 0) runs.push(await run(opts));
      const failed = runs.findIndex((r) => r.exitCode !== 0);
      const who = runs[0].stdout.match(/^ids (\d+:\d+)$/m)?.[1];
      const made = artifacts(dir, env);
      const wrong = wrongOwners(join(dir, '.pio'), ids);
      const want = `${ids.uid}:${ids.gid}`;
      const why = failed >= 0 ? `build ${failed + 1} of 2: ${tail(runs[failed], 5)}`
        : who !== want ? `the command ran as ${who ?? '?'}, not as the workspace owner ${want}`
        : !made.length ? `exit 0 but no ${isNative(env) ? 'program' : 'firmware.*'} in .pio/build/${env}`
        : wrong.length ? `files not owned by ${want}: ${wrong.join(', ')}` : '';
      report.add(CHECKS.hardened, why ? 'fail' : 'pass', why || `as ${want}, cache volume written, build -e ${env} twice: ${made.join(', ')}`);
    });
  });

  check([CHECKS.exec], async () => {
    const image = dev ?? builder;
    if (!image) return report.add(CHECKS.exec, 'skip', notBuilt('dev or builder'));
    await withDir(CHECKS.exec, false, async (dir) => {
      const container = await sandbox.create({ image, cmd: ['sleep', '600'], binds: [`${dir}:${ws}`] });
      try {
        await container.start();
        if (!(await waitForProcess(container, /^sleep 600$/, Math.min(timeoutMs, 20_000)))) return report.add(CHECKS.exec, 'fail', 'the container never got to its command');
        const [asUser, plain] = await Promise.all([
          sandbox.exec(container, ['as-user', 'sh', '-c', 'echo "$(id -u):$(id -g)"'], { timeoutMs }),
          sandbox.exec(container, ['id', '-u'], { timeoutMs }),
        ]);
        const want = `${ids.uid}:${ids.gid}`;
        const got = asUser.stdout.trim();
        const ok = asUser.exitCode === 0 && got === want;
        const plainNote = plain.exitCode === 0 ? `a plain docker exec runs as uid ${plain.stdout.trim()}` : `a plain docker exec: ${tail(plain)}`;
        report.add(CHECKS.exec, ok ? 'pass' : 'fail', ok ? `docker exec CONTAINER as-user: ${got}; ${plainNote}` : asUser.exitCode !== 0 ? `as-user: ${tail(asUser)}` : `as-user ran as ${got}, not as the workspace owner ${want}`);
      } finally {
        await container.remove({ force: true, v: true }).catch(() => {});
      }
    });
  });

  check([CHECKS.runnerRefuses], async () => {
    if (!runner) return; // not reported when there is no runner image, as before
    // Without a URL or token the runner must refuse clearly, before any download.
    const r = await run({ image: runner, env: { RUNNER_URL: '', RUNNER_TOKEN: '' }, timeoutMs });
    const ok = r.exitCode !== 0 && /RUNNER_URL/.test(r.stderr + r.stdout);
    report.add(CHECKS.runnerRefuses, ok ? 'pass' : 'fail', ok ? `exit ${r.exitCode}` : tail(r));
  });

  report.expect(checks.flatMap((k) => k.names));
  // A check that throws (an engine error) fails its names that have no result yet; the others go on.
  const guarded = async (names: string[], fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const n of names) if (!report.has(n)) report.add(n, 'fail', `error: ${(e as Error).message}`);
    }
  };
  await Promise.all(checks.map((k) => guarded(k.names, k.run)));
  if (stopAgain) await guarded([CHECKS.stop], stopAgain);
}

type WithDir = (name: string, copy: boolean, fn: (dir: string) => Promise<void>) => Promise<void>;

async function checkFirmwareBuild(o: SmokeOptions, builder: string, ids: Ids, withDir: WithDir, volume: () => Promise<string>, artifacts: (dir: string, env: string) => string[], native: boolean): Promise<void> {
  const { c, sandbox, report, timeoutMs } = o;
  const env = c.defaultEnv;
  const name = `build entrypoint: build -e ${env} --output`;
  if (!existsSync(join(o.projectDir, c.projectPath('platformio.ini')))) {
    report.add(name, 'skip', 'no platformio.ini in the project');
    return;
  }
  await withDir(name, true, async (dir) => {
    const r = await sandbox.run({
      image: builder,
      cmd: ['build', '-e', env, '--output', 'verify-out'],
      env: { HOST_UID: String(ids.uid), HOST_GID: String(ids.gid) },
      binds: [`${dir}:${c.inImage.workspace}`],
      volumes: [{ name: await volume(), target: c.cachePath }],
      network: o.buildNetwork,
      timeoutMs,
    });
    const copied = join(dir, c.projectPath('verify-out'), env);
    const made = artifacts(dir, env);
    const output = existsSync(copied) ? readdirSync(copied) : [];
    // A native env builds a host program, no firmware: --output has nothing to copy for it.
    const ok = r.exitCode === 0 && made.length > 0 && (native || output.length > 0);
    const what = native ? `${made.join(', ')} (native env: nothing to copy)` : `${made.join(', ')} -> verify-out/${env}/`;
    report.add(name, ok ? 'pass' : 'fail', ok ? what : r.exitCode !== 0 ? `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}` : `exit 0 but ${native ? 'program' : 'firmware files'}: [${made.join(', ')}], copied: [${output.join(', ')}]`);
  });
}

/**
 * `all` with exactly one env made to fail: its `build_flags` force-include a header holding an
 * `#error` (a real compiler fails every source of that env, and only of that env). Native envs come
 * first, then an env that is not last, so that "the others still build" covers envs after it; an
 * env whose flags another env inherits or interpolates is passed over (src/presets/platformio/fail-env.ts).
 */
async function checkAll(o: SmokeOptions, builder: string, withDir: WithDir, volume: () => Promise<string>, artifacts: (dir: string, env: string) => string[], isNative: (e: string) => boolean, onSharedVolume: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> {
  const { c, sandbox, report, timeoutMs } = o;
  const names = c.envs.map((e) => e.name);
  const rank = (e: string, i: number) => (isNative(e) ? 0 : 2) + (i === names.length - 1 ? 1 : 0);
  const candidates = names.map((e, i) => ({ e, r: rank(e, i), i })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.e);
  await withDir(CHECKS.all, true, async (dir) => {
    const headerFile = `${c.inImage.workspace}/.cpd-verify-fail/fail.h`;
    const choice = chooseFailEnv(join(dir, c.projectPath('platformio.ini')), candidates, names, headerFile);
    if ('skip' in choice) return report.add(CHECKS.all, 'skip', choice.skip);
    const failEnv = choice.env;
    const marker = `verify: deliberate failure of env ${failEnv} ${sandbox.runId}`;
    mkdirSync(join(dir, '.cpd-verify-fail'));
    writeFileSync(join(dir, '.cpd-verify-fail', 'fail.h'), `#error ${marker}\n`, { flag: 'wx' });
    const r = await onSharedVolume(async () => sandbox.run({ image: builder, cmd: ['all'], binds: [`${dir}:${c.inImage.workspace}`], volumes: [{ name: await volume(), target: c.cachePath }], network: o.buildNetwork, timeoutMs }));
    const out = r.stdout + r.stderr;
    const others = names.filter((e) => e !== failEnv);
    const notBuilt = others.filter((e) => artifacts(dir, e).length === 0);
    const after = others.filter((e) => names.indexOf(e) > names.indexOf(failEnv));
    const why = r.exitCode === 0 ? 'exit 0 with a failing env'
      : r.exitCode === -1 ? tail(r)
      : !out.includes(marker) ? `the #error of ${failEnv} is not in the output; ${tail(r, 5)}`
      : notBuilt.length ? `not built: ${notBuilt.join(', ')}; ${tail(r, 5)}`
      : artifacts(dir, failEnv).length ? `${failEnv} made build output although it failed` : '';
    report.add(CHECKS.all, why ? 'fail' : 'pass', why || `${failEnv} failed (exit ${r.exitCode}); built: ${others.join(', ')}${after.length ? ` (${after.join(', ')} after the failure)` : ''}`);
  });
}

async function checkRunnerHealth(o: SmokeOptions, image: string): Promise<void> {
  const { sandbox, report, timeoutMs } = o;
  const name = CHECKS.runnerHealth;
  const inspect = await sandbox.docker.getImage(image).inspect();
  const test = inspect.Config.Healthcheck?.Test;
  if (!test || test[0] === 'NONE') {
    report.add(name, 'fail', 'the runner image defines no HEALTHCHECK');
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
      await wait(250);
    }
    report.add(name, status === 'healthy' ? 'pass' : 'fail', status === 'healthy' ? `${test.slice(1).join(' ')}` : `status ${status}`);
  } finally {
    await container.remove({ force: true, v: true }).catch(() => {});
  }
}
