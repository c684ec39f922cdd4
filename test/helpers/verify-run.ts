// `create-pio-docker verify ... --json -` from the tests: its report, and what of the run's containers,
// volumes and images is still on the engine afterwards.
import type Docker from 'dockerode';
import { RUN_LABEL } from '../../src/verify/sandbox.js';
import { runCliAsync } from './cli.js';

export interface VerifyReport {
  runId: string;
  ok: boolean;
  checks: { name: string; status: 'pass' | 'fail' | 'skip'; detail: string }[];
}

/** Runs verify with `args` (which include `--json -`) in `dir`; a run without a JSON report throws with its output. */
export async function runVerifyJson(args: string[], dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string; report: VerifyReport }> {
  const r = await runCliAsync(args, dir, env);
  let report: VerifyReport;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`verify printed no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, stderr: r.stderr, report };
}

/** Containers, volumes and images that still carry the run's label. */
export async function verifyLeftovers(docker: Docker, runId: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
  const [containers, volumes, images] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listVolumes({ filters }), docker.listImages({ filters })]);
  return [
    ...containers.map((c) => `container ${c.Id.slice(0, 12)}`),
    ...(volumes.Volumes ?? []).map((v) => `volume ${v.Name}`),
    ...images.map((i) => `image ${i.RepoTags?.join(',') ?? i.Id}`),
  ];
}
