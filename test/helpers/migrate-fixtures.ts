// What the migrate suites share: their fixtures (copied to a temp folder before a run writes into
// them), whether compose v2 is here, the two judges each test runs under, and compose v2's view of
// the migrated file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'migrate');
export const HAS_V2 = /^v?2\./.test(spawnSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' }).stdout ?? '');

/** The two judges of equivalence, and the line the output names each by. */
export const MODES = [
  { name: 'compose v2', env: {}, method: /check: docker compose 2\.\S+ config of every old and new command, whole project/ },
  { name: 'fallback', env: { CPD_MIGRATE_COMPOSE: 'none' }, method: /check: own model of compose's merge, not compose itself \(compose v2 disabled by CPD_MIGRATE_COMPOSE=none\)/ },
] as const;
export type Mode = (typeof MODES)[number];

/** Runs `body` once per judge; the v2 run says so in one line where compose v2 is missing. */
export function bothWays(title: string, body: (mode: Mode) => void | Promise<void>): void {
  for (const mode of MODES) {
    test(`${title} [${mode.name}]`, async () => {
      if (mode.name === 'compose v2' && !HAS_V2) {
        console.log(`  (skipped: no compose v2 here; run test/engine/setup-engine.sh) ${title}`);
        return;
      }
      await body(mode);
    });
  }
}

/** A copy of fixture `name` in a temp folder of its own (`prefix` names the suite); cleanup removes it. */
export function copyFixture(name: string, prefix: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), prefix)), name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}
export const cleanup = (dir: string) => rmSync(join(dir, '..'), { recursive: true, force: true });
export const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');

/** `docker compose -f compose.yaml ARGS config` in `dir`, as JSON (it must succeed). */
export function composeConfig(dir: string, ...args: string[]) {
  const r = spawnSync('docker', ['compose', '-f', 'compose.yaml', ...args, 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { name: string; services: Record<string, any>; networks?: Record<string, any>; volumes?: Record<string, any> };
}
