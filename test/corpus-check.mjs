#!/usr/bin/env node
// Runs the built CLI (`create-pio-docker envs PROJECT --json`) on every project folder under DIR
// (platformio.ini + expected.json, as made by PlatformIO's own ProjectConfig) and compares.
// Where expected.json says "ERROR:..." (PlatformIO failed to resolve the value), our null matches.
// Usage: npm run corpus -- DIR      Exit 0 all matched, 1 some differ, 2 usage error.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'create-pio-docker.js');
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node test/corpus-check.mjs DIR');
  process.exit(2);
}

/** Differences between expected and actual, as "path: expected X, got Y" lines. */
function diff(exp, act, path = '') {
  if (typeof exp === 'string' && exp.startsWith('ERROR:') && act === null) return [];
  if (Array.isArray(exp) && Array.isArray(act)) {
    if (exp.length !== act.length) return [`${path}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`];
    return exp.flatMap((e, i) => diff(e, act[i], `${path}[${i}]`));
  }
  if (exp && act && typeof exp === 'object' && typeof act === 'object' && !Array.isArray(exp) && !Array.isArray(act)) {
    const keys = [...new Set([...Object.keys(exp), ...Object.keys(act)])];
    return keys.flatMap((k) => (k in act ? (k in exp ? diff(exp[k], act[k], `${path}.${k}`) : [`${path}.${k}: unexpected ${JSON.stringify(act[k])}`]) : [`${path}.${k}: missing, expected ${JSON.stringify(exp[k])}`]));
  }
  return exp === act ? [] : [`${path}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`];
}

const projects = readdirSync(resolve(dir), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(resolve(dir), e.name, 'platformio.ini')) && existsSync(join(resolve(dir), e.name, 'expected.json')))
  .map((e) => join(resolve(dir), e.name));

let matched = 0;
for (const project of projects) {
  const name = project.slice(resolve(dir).length + 1);
  const expected = JSON.parse(readFileSync(join(project, 'expected.json'), 'utf8'));
  // expected.json was made with no environment variables set: keep ${sysenv.X} and PLATFORMIO_* out.
  const r = spawnSync(process.execPath, [BIN, 'envs', project, '--json'], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  let problems;
  if (r.status !== 0) problems = [`exit ${r.status}: ${r.stderr.trim()}`];
  else {
    try {
      problems = diff(expected, JSON.parse(r.stdout));
    } catch (e) {
      problems = [`stdout is not JSON: ${e.message}`];
    }
  }
  if (problems.length === 0) matched++;
  else {
    const shown = problems.slice(0, 10);
    if (problems.length > shown.length) shown.push(`... and ${problems.length - shown.length} more`);
    console.log(`DIFFER ${name}: ${shown.join('; ')}`);
  }
}
console.log(`corpus: ${projects.length} projects, ${matched} matched, ${projects.length - matched} differ`);
process.exit(projects.length && matched === projects.length ? 0 : 1);
