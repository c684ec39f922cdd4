// `docker stop` of a running build container, timed and judged, for every preset's stop check; the
// whole check for the presets whose builds run as compose.build.yaml runs them.
import { rmSync } from 'node:fs';
import type Docker from 'dockerode';
import { FILES } from '../core/paths.js';
import { hostDir, type Ids } from './host-copy.js';
import type { Report } from './report.js';
import { waitForProcess, type Sandbox } from './sandbox.js';

export interface StopResult {
  ms: number;
  code: number;
  /** Exit 143 within the limit. */
  ok: boolean;
  /** Why not, when not ok. */
  why: string;
}

export async function stopAndJudge(container: Docker.Container, limitMs: number): Promise<StopResult> {
  const t0 = Date.now();
  await container.stop({ t: 10 });
  const ms = Date.now() - t0;
  const code = (await container.inspect()).State.ExitCode;
  const ok = code === 143 && ms <= limitMs;
  if (ok) return { ms, code, ok, why: '' };
  const logs = String(await container.logs({ stdout: true, stderr: true }).catch(() => ''));
  // tini and docker's init say this when they may not signal a process of another uid.
  const why = /forwarding signal: 'Operation not permitted'/.test(logs)
    ? ': the init (root) could not pass SIGTERM on to the command of another user: Operation not permitted (no CAP_KILL?)'
    : code === 137
      ? ': SIGTERM never reached the command, which was killed (no init as PID 1, or the entrypoint does not exec it?)'
      : ` (want 143 within ${limitMs} ms)`;
  return { ms, code, ok, why: `docker stop -t 10 took ${(ms / 1000).toFixed(1)} s, exit ${code}${why}` };
}

/** The longest `docker stop` may take: the init forwards SIGTERM, the command ends at once. */
export const STOP_LIMIT_MS = 1000;

export interface StopCheck {
  sandbox: Sandbox;
  report: Report;
  timeoutMs: number;
  /** The check's name in the report. */
  name: string;
  image: string;
  /** The checkout's owner: the command runs as them, as a build does. */
  ids: Ids;
  /** Where the fresh host folder is mounted (the workspace); `workingDir` too when set. */
  mountAt: string;
  workingDir?: string;
  /** How compose runs the build (its hardening, `Init` where compose adds the init). */
  hostConfig: Docker.HostConfig;
  /** Which init forwards the signal, for the report: `tini`, `docker's init`. */
  init: string;
}

/**
 * The stop check of a preset whose build runs as compose.build.yaml runs it: `sleep 30` through the
 * init and the entrypoint, as the checkout's owner in a fresh folder, then `docker stop`, which must
 * end it with 143 within STOP_LIMIT_MS.
 */
export async function runStopCheck(o: StopCheck): Promise<void> {
  const { sandbox, report, name, ids } = o;
  const made = hostDir(ids);
  sandbox.hostDirs.add(made.dir);
  const container = await sandbox.create({ image: o.image, cmd: ['sleep', '30'], binds: [`${made.dir}:${o.mountAt}`], workingDir: o.workingDir, hostConfig: o.hostConfig });
  try {
    await container.start();
    if (!(await waitForProcess(container, /^sleep 30$/, Math.min(o.timeoutMs, 20_000)))) return report.add(name, 'fail', 'the command never started');
    const { ms, ok, why } = await stopAndJudge(container, STOP_LIMIT_MS);
    report.add(name, ok ? 'pass' : 'fail', ok ? `sleep 30 through ${o.init} and the entrypoint, as ${ids.uid}:${ids.gid} with the hardening of ${FILES.composeBuild}: exit 143 in ${ms} ms` : why);
  } finally {
    await container.remove({ force: true, v: true }).catch(() => {});
    rmSync(made.dir, { recursive: true, force: true });
    sandbox.hostDirs.delete(made.dir);
  }
}
