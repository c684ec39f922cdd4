#!/usr/bin/env node
// Runs every test/**/*.test.ts under uvu (TypeScript through tsx) and ends with one plain line:
// `N passed, N failed, N skipped`. A run that dies before uvu's summary counts as failed,
// because uvu exits 0 when something kills it early (e.g. a prompt library calling exit).
// Engine suites never pass by skipping on a machine that has an engine: when one answers but the
// test images are missing, the idempotent test/engine/setup-engine.sh makes them (as root), or the
// run fails. Suites skipped for want of an engine are named in one line at the end.
// Usage: node test/run.mjs [FILE_REGEX]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const uvuBin = join(dirname(require.resolve('uvu')), '..', 'bin.js');
const pattern = process.argv[2] ?? '\\.test\\.ts$';

const fail = (line) => {
  console.log(line);
  console.log('0 passed, 1 failed');
  process.exit(1);
};

// The engine as the suites see it (test/helpers/engine.ts): does it answer, which images lack.
async function engineCheck() {
  const Docker = require('dockerode');
  const docker = new Docker();
  try {
    await docker.ping({ abortSignal: AbortSignal.timeout(3000) });
  } catch {
    return { available: false };
  }
  const images = ['cpd-test/debian:bookworm', 'cpd-test/python:bookworm', 'cpd-test/golang:bookworm'];
  const found = await Promise.all(images.map((i) => docker.getImage(i).inspect().then(() => true, () => false)));
  return { available: true, missing: images.filter((_, n) => !found[n]) };
}

const selected = readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts') && new RegExp(pattern).test(f));
const needsEngine = selected.some((f) => readFileSync(join(root, 'test', f), 'utf8').includes('engineSuite('));
if (needsEngine) {
  const state = await engineCheck();
  if (state.available && state.missing.length) {
    const setup = 'test/engine/setup-engine.sh';
    if (process.getuid?.() !== 0) fail(`a Docker Engine answers but the test images ${state.missing.join(', ')} are missing: run \`sudo bash ${setup}\` (idempotent), then npm test again`);
    console.log(`a Docker Engine answers but the test images ${state.missing.join(', ')} are missing: running ${setup} (idempotent)`);
    const r = spawnSync('bash', [setup], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) fail(`${setup} failed (exit ${r.status ?? r.signal}): the engine tests cannot run`);
    const again = await engineCheck();
    if (!again.available || again.missing.length) fail(`${setup} ran but the test images are still missing: ${(again.missing ?? []).join(', ')}`);
  }
}

const skipsDir = mkdtempSync(join(tmpdir(), 'cpd-run-'));
const skipsFile = join(skipsDir, 'engine-skips');
const child = spawn(process.execPath, ['--import', 'tsx', uvuBin, 'test', pattern, '--no-color'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0', CPD_ENGINE_SKIPS: skipsFile },
});

/** `engine tests skipped (REASON): N suites: a, b, c`, or nothing. */
function skippedLine() {
  let text = '';
  try {
    text = readFileSync(skipsFile, 'utf8');
  } catch {
    /* none skipped */
  }
  rmSync(skipsDir, { recursive: true, force: true });
  const rows = text.split('\n').filter(Boolean).map((l) => l.split('\t'));
  if (!rows.length) return '';
  const reasons = [...new Set(rows.map((r) => r[1]))].join('; ');
  return `engine tests skipped (${reasons}): ${rows.length} suite${rows.length > 1 ? 's' : ''}: ${rows.map((r) => r[0]).join(', ')}`;
}
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stdout.write(chunk);
});
child.on('close', (code) => {
  const num = (label) => Number(out.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  if (Number.isNaN(total)) {
    skippedLine();
    console.log(`\ntest run ended (exit ${code}) before uvu printed its summary`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  if (total === 0) {
    skippedLine();
    // A filter that matches no test (a typo, a renamed file) must not pass as "all green".
    console.log(`\nno test matched ${pattern}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const failed = total - passed;
  const skips = skippedLine();
  console.log(`\n${skips ? `${skips}\n` : ''}${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 || code !== 0 ? 1 : 0);
});
