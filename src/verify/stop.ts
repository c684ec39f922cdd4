// `docker stop` of a running build container, timed and judged, for every preset's stop check.
import type Docker from 'dockerode';

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
