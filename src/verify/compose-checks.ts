// Compose checks: every profile of every generated compose file passes `config`, and every
// service points at a Dockerfile stage that exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { FILES } from '../paths.js';
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

/** `docker compose` (v2 plugin) if present, else Debian's `docker-compose` v1, else null. */
export async function findComposeTool(): Promise<string[] | null> {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = await execa(cmd[0], [...cmd.slice(1), 'version'], { reject: false, timeout: 10_000 });
    if (r.exitCode === 0) return cmd;
  }
  return null;
}

/** `composeFiles`: as read up front by readComposeFiles (read now when not given). */
export async function checkCompose(dir: string, repo: string, stages: string[], report: Report, opts: { timeoutMs: number; composeFiles?: ComposeFile[] }): Promise<void> {
  const files = opts.composeFiles ?? readComposeFiles(dir);
  if (files.length === 0) {
    report.add('compose: files', 'skip', 'no generated compose files');
    return;
  }
  const tool = await findComposeTool();
  for (const { file, services } of files) {
    const profiles = [...new Set(Object.values(services).flatMap((s) => s.profiles ?? []))].sort();
    if (!tool) {
      report.add(`compose: ${file} config`, 'skip', 'neither `docker compose` nor `docker-compose` is installed');
    } else {
      for (const profile of profiles) {
        const r = await execa(tool[0], [...tool.slice(1), '-f', file, '--profile', profile, 'config', '-q'], { cwd: dir, reject: false, timeout: opts.timeoutMs });
        report.add(`compose: ${file} --profile ${profile} config`, r.exitCode === 0 ? 'pass' : 'fail', r.exitCode === 0 ? tool.join(' ') : (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | '));
      }
    }
    const wrong: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      // A service either builds a target or runs one of our images, tagged by target (REPO:TARGET).
      const target = s.build?.target ?? (s.image?.startsWith(`${repo}:`) ? s.image.slice(repo.length + 1) : undefined);
      if (target && !stages.includes(target)) wrong.push(`${name} -> ${target}`);
    }
    report.add(`compose: ${file} targets exist in Dockerfile`, wrong.length ? 'fail' : 'pass', wrong.length ? `unknown stages: ${wrong.join(', ')}` : `${Object.keys(services).length} services`);
  }
}
