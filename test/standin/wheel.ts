// Builds the wheel of the PlatformIO TEST STAND-IN (see README.md here) with the host's python3.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSIONS } from '../../src/core/versions.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'build-wheel.py');

/** Writes platformio-VERSION-py3-none-any.whl into outDir and returns its path. */
export function buildStandinWheel(outDir: string, version: string = VERSIONS.platformio): string {
  const r = spawnSync('python3', [SCRIPT, outDir, version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`build-wheel.py failed (exit ${r.status ?? r.error?.message}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}
