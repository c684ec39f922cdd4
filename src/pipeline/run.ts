// The one write step behind the scaffold and `update`: plan, refuse or report, apply, summarise.
// A signal during the write undoes it (CancelledDuringApply). Returns the exit code: 0 done or up to date, 1 conflicts, files in the way, or (check) out of
// date, 2 unresolved markers from an earlier run.
import type { Answers } from '../core/answers.js';
import { unifiedDiff } from '../update/diff3.js';
import type { EnvChanges } from '../update/envs-diff.js';
import { applyUntilSignal } from './apply.js';
import { planRun, type Plan } from './plan.js';
import { CancelledAfterApply } from './cancel.js';
import { blockedText, nextSteps, rebuildText, summaryText } from './report.js';
import { STATE_FILE, type LoadedState } from './state.js';
import { printableLine } from '../core/safety/text.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const STDIO: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export interface RunRequest {
  root: string;
  answers: Answers;
  deselectedEnvs: string[];
  loaded: LoadedState | null;
  envChanges: EnvChanges | null;
  force: boolean;
  decisions?: ReadonlyMap<string, 'overwrite' | 'keep'>;
  dryRun?: boolean;
  check?: boolean;
}


export function plan(req: RunRequest): Plan {
  return planRun(req);
}

export async function execute(req: RunRequest, p: Plan, io: Output = STDIO, opts: { firstRun?: boolean } = {}): Promise<number> {
  if (p.unresolved.length) {
    io.err(`error: unresolved conflict markers (<<<<<<< / >>>>>>>) from an earlier run in:\n${p.unresolved.map((f) => `  ${f}`).join('\n')}\nResolve them (keep the lines you want, delete the marker lines), then run again. Nothing was written.\n`);
    return 2;
  }
  if (req.check) {
    const stale = p.files.filter((f) => f.result !== f.ours || f.status === 'CONFLICT' || f.status === 'IN THE WAY' || f.status === 'SYMLINK, not written' || f.status === 'BLOCKED');
    if (!stale.length && !p.baseProblem) {
      io.out('generated files are up to date\n');
      return 0;
    }
    io.out(`generated files are out of date (run create-pio-docker update):\n${stale.map((f) => `  ${f.status.padEnd(34)} ${f.path}`).join('\n')}\n${p.baseProblem ? `warning: ${p.baseProblem}\n` : ''}`);
    return 1;
  }
  if (p.blocking.length) {
    io.err(blockedText(p));
    return 1;
  }
  if (req.dryRun) {
    // The diff alone goes to stdout, so `update --dry-run > x.patch` is a usable patch.
    for (const f of p.files) {
      if (f.result === f.ours) continue;
      io.out(unifiedDiff(f.ours ?? '', f.result ?? '', f.ours === null ? '/dev/null' : `a/${f.path}`, f.result === null ? '/dev/null' : `b/${f.path}`));
    }
    io.err(summaryText(p, req.envChanges, { dryRun: true }));
    return p.conflicts.length ? 1 : 0;
  }
  // Temp files a killed run left are looked for beside every computed path, changed or not.
  const { late, removedTemps } = await applyUntilSignal(req.root, p.changes, { cleanIn: [...p.files.map((f) => f.path), STATE_FILE] });
  if (removedTemps.length) io.err(`removed ${removedTemps.length} temp file${removedTemps.length > 1 ? 's' : ''} that an interrupted run left: ${removedTemps.map(printableLine).join(', ')}\n`);
  io.out(summaryText(p, req.envChanges));
  if (opts.firstRun && p.changes.length) io.out(nextSteps(req.answers));
  else io.out(rebuildText(p));
  if (late) throw new CancelledAfterApply(late);
  return p.conflicts.length ? 1 : 0;
}
