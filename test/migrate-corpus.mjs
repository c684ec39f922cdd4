#!/usr/bin/env node
// Reality check for `migrate`: runs `create-pio-docker migrate DIR --dry-run` over every folder of a
// corpus of real compose setups (default ../shared/corpus/compose; never copied into this repo) and
// reports per set: migrated / refused (reason) / nothing to migrate (why), the commands found
// (documented vs inferred) and compose v2's verdict per command (equal / differs / cannot load, why).
// A crash (unexpected error, no clear message) fails the run; so does a "differs". A set that migrates
// while others in the same repository are skipped (exit 3) counts as migrated, with the skips shown.
// CPD_MIGRATE_COMPOSE=none runs it with the fallback (the tool's own model) instead of compose v2.
// Usage: npm run build && node test/migrate-corpus.mjs [CORPUS_DIR]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'create-pio-docker.js');

/** The commands table of the proposal: old command, found in, new command, compose v2 verdict. */
function commandsOf(stdout) {
  const rows = [];
  let inTable = false;
  for (const line of stdout.split('\n')) {
    if (/^ {2}old command\s{2,}found in/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    if (!/^ {2}docker compose/.test(line)) {
      inTable = false;
      continue;
    }
    const [old, found, now, verdict] = line.trim().split(/\s{2,}/);
    rows.push({ old, found, now, verdict: verdict ?? '' });
  }
  return rows;
}

export function runCorpus(corpus, env = {}) {
  const rows = [];
  for (const name of readdirSync(corpus).sort()) {
    const dir = join(corpus, name);
    const r = spawnSync(process.execPath, [BIN, 'migrate', dir, '--dry-run'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, env: { ...process.env, ...env } });
    const err = r.stderr ?? '';
    let kind;
    let reason = '';
    // exit 3: the sets that can migrate do, the others are skipped with their reasons
    if ((r.status === 0 || r.status === 3) && /Dry run: nothing was written/.test(r.stdout) && /check: .*: same (project for every command|services for every profile)/.test(r.stdout)) {
      kind = 'migrated';
      if (r.status === 3) reason = `some skipped: ${err.split('\n').filter((l) => l.startsWith('skipped: ')).map((l) => l.replace(/^skipped: cannot migrate /, '')).join(' | ')}`;
    }
    else if (r.status === 0 && /Nothing to migrate/.test(r.stdout)) {
      kind = 'untouched';
      reason = r.stdout.split('\n').filter((l) => l && !/^Nothing to migrate/.test(l)).join(' | ') || r.stdout.trim();
    } else if ((r.status === 1 || r.status === 2) && /^error: cannot migrate /m.test(err) && !/unexpected error/.test(err)) {
      kind = 'refused';
      reason = err.split('\n')[0].replace(/^error: cannot migrate /, '');
    } else {
      kind = 'crash';
      reason = `exit ${r.status}: ${(err || r.stdout).split('\n').slice(0, 3).join(' | ')}`;
    }
    const commands = kind === 'migrated' ? commandsOf(r.stdout) : [];
    rows.push({ name, kind, reason, commands, method: /check: ([^:]+(?:\([^)]*\))?)/.exec(r.stdout)?.[1] ?? '' });
  }
  return rows;
}

const count = (rows, k) => rows.filter((r) => r.kind === k).length;
const verdicts = (rows, v) => rows.flatMap((r) => r.commands).filter((c) => c.verdict.startsWith(v)).length;

export function summary(rows) {
  const reasons = rows.filter((r) => r.kind === 'refused').map((r) => `${r.name}: ${r.reason}`);
  const cmds = rows.flatMap((r) => r.commands);
  const documented = cmds.filter((c) => c.found !== 'inferred').length;
  return (
    `migrate corpus: ${rows.length} folders, ${count(rows, 'migrated')} migrated, ${count(rows, 'refused')} refused, ${count(rows, 'untouched')} with nothing to migrate, ${count(rows, 'crash')} crashed` +
    `\ncommands: ${cmds.length} (${documented} documented, ${cmds.length - documented} inferred); compose v2: ${verdicts(rows, 'equal')} equal, ${verdicts(rows, 'differs')} differ, ${verdicts(rows, 'cannot load')} cannot load, ${verdicts(rows, 'not run')} not run (fallback)` +
    (reasons.length ? `\nrefused:\n  ${reasons.join('\n  ')}` : '')
  );
}

/** One block per set: what happened, and each command with where it was found and compose v2's verdict. */
export function report(rows) {
  const out = [];
  for (const r of rows) {
    out.push(`${r.kind.padEnd(9)} ${r.name}${r.method ? `  [${r.method}]` : ''}${r.reason ? `  ${r.reason}` : ''}`);
    for (const c of r.commands) out.push(`    ${c.found === 'inferred' ? 'inferred  ' : 'documented'} ${c.old}  ->  ${c.now}  : ${c.verdict}${c.found !== 'inferred' ? `  (${c.found})` : ''}`);
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const corpus = process.argv[2] ?? join(root, '..', 'shared', 'corpus', 'compose');
  const rows = runCorpus(corpus);
  console.log(report(rows));
  console.log(summary(rows));
  process.exit(count(rows, 'crash') || verdicts(rows, 'differs') ? 1 : 0);
}
