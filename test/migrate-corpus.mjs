#!/usr/bin/env node
// Reality check for `migrate`: runs `create-pio-docker migrate DIR --dry-run` over every folder of a
// corpus of real compose setups (default ../shared/corpus/compose; never copied into this repo).
// Each folder must either migrate (equivalence check passed), refuse with a clear reason, or have
// nothing to migrate; a crash (unexpected error, no clear message) fails the run.
// Usage: npm run build && node test/migrate-corpus.mjs [CORPUS_DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'create-pio-docker.js');
const COMPOSE = /^(?:docker-)?compose(?:[.-].+?)?\.ya?ml$/;

const hasCompose = (d) => ['.', 'docker', 'docker/compose', 'compose'].some((s) => existsSync(join(d, s)) && readdirSync(join(d, s)).some((n) => COMPOSE.test(n)));

/** The folder to migrate: the entry itself, or the shallowest folder below it with compose files. */
function target(dir) {
  let level = [dir];
  for (let depth = 0; depth < 3 && level.length; depth++) {
    const hit = level.find(hasCompose);
    if (hit) return hit;
    level = level.flatMap((d) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(d, e.name)));
  }
  return dir;
}

export function runCorpus(corpus) {
  const rows = [];
  for (const name of readdirSync(corpus).sort()) {
    const dir = join(corpus, name);
    const t = target(dir);
    const r = spawnSync(process.execPath, [BIN, 'migrate', t, '--dry-run'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    const err = r.stderr ?? '';
    let kind;
    let reason = '';
    if (r.status === 0 && /Dry run: nothing was written/.test(r.stdout) && /same services for every profile/.test(r.stdout)) kind = 'migrated';
    else if (r.status === 0 && /Nothing to migrate/.test(r.stdout)) kind = 'untouched';
    else if ((r.status === 1 || r.status === 2) && /^error: cannot migrate /m.test(err) && !/unexpected error/.test(err)) {
      kind = 'refused';
      reason = err.split('\n')[0].replace(/^error: cannot migrate /, '');
    } else {
      kind = 'crash';
      reason = `exit ${r.status}: ${(err || r.stdout).split('\n').slice(0, 3).join(' | ')}`;
    }
    rows.push({ name, dir: relative(corpus, t) || '.', kind, reason, method: /check: ([^:]+(?:\([^)]*\))?)/.exec(r.stdout)?.[1] ?? '' });
  }
  return rows;
}

const count = (rows, k) => rows.filter((r) => r.kind === k).length;

export function summary(rows) {
  const reasons = rows.filter((r) => r.kind === 'refused').map((r) => `${r.name}: ${r.reason}`);
  return `migrate corpus: ${rows.length} folders, ${count(rows, 'migrated')} migrated, ${count(rows, 'refused')} refused, ${count(rows, 'untouched')} with nothing to migrate, ${count(rows, 'crash')} crashed` + (reasons.length ? `\nrefused:\n  ${reasons.join('\n  ')}` : '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const corpus = process.argv[2] ?? join(root, '..', 'shared', 'corpus', 'compose');
  const rows = runCorpus(corpus);
  for (const r of rows) console.log(`${r.kind.padEnd(9)} ${r.dir}${r.method ? `  [${r.method}]` : ''}${r.reason ? `  ${r.reason}` : ''}`);
  console.log(summary(rows));
  process.exit(count(rows, 'crash') ? 1 : 0);
}
