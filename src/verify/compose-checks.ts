// Compose checks: every profile of every generated compose file passes `config`, and every
// service points at a Dockerfile stage that exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { FILES } from '../core/paths.js';
import { readComposeServices, type ComposeService } from './input.js';
import type { Report } from './report.js';

/** A generated compose file of the project, read and parsed. */
export interface ComposeFile {
  file: string;
  services: Record<string, ComposeService>;
}

/** The generated compose files present in `dir`; a VerifyInputError if one cannot be read. */
export function readComposeFiles(dir: string): ComposeFile[] {
  return [FILES.composeImages, FILES.composeBuild, FILES.composeRunners]
    .filter((f) => existsSync(join(dir, f)))
    .map((file) => ({ file, services: readComposeServices(join(dir, file), file) }));
}

/** Where the docker CLI looks for its plugins (besides $DOCKER_CONFIG/cli-plugins). */
const PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

export interface ComposeTool {
  /** The command to run. */
  cmd: string[];
  /** How the report names it. */
  name: string;
}

/**
 * `docker compose` (v2 plugin) if present, else Debian's `docker-compose` v1, else null. The v2
 * plugin binary is run directly when found: the same program, without starting the docker CLI
 * first (half the CPU per call, and verify makes one call per profile).
 */
export async function findComposeTool(): Promise<ComposeTool | null> {
  const home = process.env.DOCKER_CONFIG || (process.env.HOME ? join(process.env.HOME, '.docker') : undefined);
  const dirs = [...(home ? [join(home, 'cli-plugins')] : []), ...PLUGIN_DIRS];
  const plugin = dirs.map((d) => join(d, 'docker-compose')).find((p) => existsSync(p));
  const candidates: ComposeTool[] = [
    ...(plugin ? [{ cmd: [plugin], name: 'docker compose' }] : []),
    { cmd: ['docker', 'compose'], name: 'docker compose' },
    { cmd: ['docker-compose'], name: 'docker-compose' },
  ];
  for (const tool of candidates) {
    const r = await execa(tool.cmd[0], [...tool.cmd.slice(1), 'version'], { reject: false, timeout: 10_000 });
    if (r.exitCode === 0) return tool;
  }
  return null;
}

/** Runs `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * `composeFiles`: as read up front by readComposeFiles (read now when not given). The `config`
 * calls only read the files, so they run a few at a time; the table keeps their order.
 */
export async function checkCompose(dir: string, repo: string, stages: string[], report: Report, opts: { timeoutMs: number; composeFiles?: ComposeFile[] }): Promise<void> {
  const files = opts.composeFiles ?? readComposeFiles(dir);
  if (files.length === 0) {
    report.add('compose: files', 'skip', 'no generated compose files');
    return;
  }
  const profilesOf = (services: Record<string, ComposeService>) => [...new Set(Object.values(services).flatMap((s) => s.profiles ?? []))].sort();
  const configName = (file: string, profile: string) => `compose: ${file} --profile ${profile} config`;
  const targetsName = (file: string) => `compose: ${file} targets exist in Dockerfile`;
  // Places in the table, in file order, before anything runs.
  report.expect(files.flatMap(({ file, services }) => [`compose: ${file} config`, ...profilesOf(services).map((p) => configName(file, p)), targetsName(file)]));
  for (const { file, services } of files) {
    const wrong: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      // A service either builds a target or runs one of our images, tagged by target (REPO:TARGET).
      const target = s.build?.target ?? (s.image?.startsWith(`${repo}:`) ? s.image.slice(repo.length + 1) : undefined);
      if (target && !stages.includes(target)) wrong.push(`${name} -> ${target}`);
    }
    report.add(targetsName(file), wrong.length ? 'fail' : 'pass', wrong.length ? `unknown stages: ${wrong.join(', ')}` : `${Object.keys(services).length} services`);
  }
  const tool = await findComposeTool();
  if (!tool) {
    for (const { file } of files) report.add(`compose: ${file} config`, 'skip', 'neither `docker compose` nor `docker-compose` is installed');
    return;
  }
  const jobs = files.flatMap(({ file, services }) => profilesOf(services).map((profile) => ({ file, profile })));
  await pool(jobs, 8, async ({ file, profile }) => {
    const r = await execa(tool.cmd[0], [...tool.cmd.slice(1), '-f', file, '--profile', profile, 'config', '-q'], { cwd: dir, reject: false, timeout: opts.timeoutMs });
    report.add(configName(file, profile), r.exitCode === 0 ? 'pass' : 'fail', r.exitCode === 0 ? tool.name : (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | '));
  });
}
