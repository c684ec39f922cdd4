// Runs the real, built CLI (bin/create-pio-docker.js) the way a user would, without a terminal.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'create-pio-docker.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temp project folder with the given files. */
export function tempProject(files: Record<string, string>, name = 'demo-fw'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'cpd-')), name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dirname(dir), { recursive: true, force: true });
}

/** path -> {content, mode} of every file below dir; a symlink is recorded as its target, not followed. */
export function snapshot(dir: string): Map<string, { content: string; mode: number }> {
  const out = new Map<string, { content: string; mode: number }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) out.set(relative(dir, p), { content: `symlink -> ${readlinkSync(p)}`, mode: 0 });
      else if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), { content: readFileSync(p, 'utf8'), mode: statSync(p).mode & 0o777 });
    }
  };
  walk(dir);
  return out;
}

export const TWO_ENVS_INI = `[platformio]
default_envs = uno

[env]
framework = arduino

[env:esp32dev]
platform = espressif32
board = esp32dev

[env:uno]
platform = atmelavr
board = uno
`;

/**
 * Runs the CLI without blocking this process's event loop, for tests whose own servers (e.g. the
 * local package index) must keep answering while the CLI runs.
 */
export function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The tool's state file of a scaffolded project, parsed. */
export function readState(dir: string): { toolVersion: string; answers: Record<string, any>; deselectedEnvs: string[]; generated: { sha256: Record<string, string>; packed: string } } {
  return JSON.parse(readFileSync(join(dir, '.create-pio-docker.json'), 'utf8'));
}
