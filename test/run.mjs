#!/usr/bin/env node
// Runs every test/**/*.test.ts under uvu (TypeScript through tsx) and ends with one plain line:
// `N passed, N failed, N skipped`. A run that dies before uvu's summary counts as failed,
// because uvu exits 0 when something kills it early (e.g. a prompt library calling exit).
// Usage: node test/run.mjs [FILE_REGEX]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvuBin = join(dirname(createRequire(import.meta.url).resolve('uvu')), '..', 'bin.js');
const pattern = process.argv[2] ?? '\\.test\\.ts$';

const child = spawn(process.execPath, ['--import', 'tsx', uvuBin, 'test', pattern, '--no-color'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
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
    console.log(`\ntest run ended (exit ${code}) before uvu printed its summary`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  if (total === 0) {
    // A filter that matches no test (a typo, a renamed file) must not pass as "all green".
    console.log(`\nno test matched ${pattern}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const failed = total - passed;
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 || code !== 0 ? 1 : 0);
});
