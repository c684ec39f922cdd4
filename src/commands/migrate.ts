// `create-pio-docker migrate [DIR]`: split compose files -> one profile-based compose.yaml per set.
// Decisions are per set: a set whose files cannot be read, or whose new file would not give the same
// project, is skipped with its reason (printed and written to docs/MIGRATION.md), and the other sets
// migrate. Old files are kept as *.bak unless --remove-old. Every write and delete goes through
// applyChanges, all or nothing: no symlink is written through, moved or removed, and a failed write
// leaves every file as it was. Exit codes: 0 done (or nothing to do), 1 refused (no set can migrate,
// a path is unsafe, writing failed) or declined, 2 usage error or input it cannot read (nothing
// else to migrate), 3 done for some sets, others skipped (SOME_SKIPPED).
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../core/rows.js';
import { SEARCH_DIRS, suffixOf } from '../migrate/detect.js';
import { discover, type Discovery } from '../migrate/discover.js';
import type { FoundCommand } from '../migrate/commands.js';
import type { Group, OldCommand } from '../migrate/detect.js';
import { unifiedDiff } from '../update/diff3.js';
import { migrationGuide, proposal } from '../migrate/guide.js';
import { progress } from '../migrate/progress.js';
import { MigrateInputError } from '../migrate/load.js';
import { MigrateRefusal, NEW_FILE, planGroup, type Plan } from '../migrate/plan.js';
import { checkEquivalence, type Check } from '../migrate/verify.js';
import { ApplyError, applyUntilSignal, inspectPath, UnsafePathError, type Change, type PathState } from '../pipeline/apply.js';
import { CancelledAfterApply, CancelledError } from '../pipeline/cancel.js';
import { MAX_INPUT_BYTES } from '../core/safety/read.js';
import { printableLine } from '../core/safety/text.js';

export interface MigrateOptions {
  yes: boolean;
  dryRun: boolean;
  removeOld: boolean;
  interactive: boolean;
}

export const GUIDE = 'docs/MIGRATION.md';
/** Exit status: the sets that could migrate did, others were skipped (with their reasons). */
export const SOME_SKIPPED = 3;

export interface MigrateResult {
  /** Migrated folders, with their plans and checks. */
  plans: { plan: Plan; check: Check }[];
  /** Folders left as they are, with why. */
  untouched: string[];
  /** Sets (or files) skipped, with why; with no plan, why nothing can be written. */
  refusals: string[];
  /** true when a refusal is about input it cannot read (exit 2), not about equivalence (exit 1). */
  inputError: boolean;
  /** Documented commands naming files that are not there. */
  unresolved: FoundCommand[];
  /** Every documented command found. */
  found: FoundCommand[];
}

/** Everything short of writing: detection, plans, equivalence checks. Never throws for bad input. */
export async function planMigration(dir: string): Promise<MigrateResult> {
  const res: MigrateResult = { plans: [], untouched: [], refusals: [], inputError: false, unresolved: [], found: [] };
  let d: Discovery;
  try {
    d = discover(dir);
  } catch (e) {
    if (!(e instanceof MigrateInputError)) throw e;
    return { ...res, refusals: [e.message], inputError: true };
  }
  res.untouched.push(...d.untouched);
  res.refusals.push(...d.refusals);
  res.inputError = d.inputError;
  res.unresolved = d.unresolved;
  res.found = d.found;
  // a few sets at a time (each runs its compose calls in parallel too); results kept in set order
  const parts: SetResult[] = d.groups.map(() => ({ plans: [], untouched: [], refusals: [], inputError: false }));
  const shown = progress(d.groups.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < d.groups.length) {
      const n = next++;
      shown.at(done, d.groups[n].rel);
      await planSet(d.groups[n], parts[n]);
      shown.at(++done, d.groups[n].rel);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(SETS_AT_ONCE, d.groups.length) }, worker));
  } finally {
    shown.stop();
  }
  for (const p of parts) {
    res.plans.push(...p.plans);
    res.untouched.push(...p.untouched);
    res.refusals.push(...p.refusals);
    res.inputError ||= p.inputError;
  }
  return res;
}

/** Sets checked at once: compose v2 calls are short CPU-bound processes. */
const SETS_AT_ONCE = 3;
type SetResult = Pick<MigrateResult, 'plans' | 'untouched' | 'refusals' | 'inputError'>;

/** One set: planned and checked; inferred commands compose v2 cannot load are left out (and said so). */
async function planSet(g: Group, res: SetResult): Promise<void> {
  try {
    let plan = planGroup(g);
    let check = await checkEquivalence(plan);
    const unloadable = check.v2 ? g.commands.filter((c, i) => c.sources.length === 0 && check.perCommand.some((p) => p.command === i && p.result === 'cannot load' && p.why?.startsWith('old:'))) : [];
    if (unloadable.length && unloadable.length < g.commands.length) {
      const commands = g.commands.filter((c) => !unloadable.includes(c));
      const files = g.files.filter((f) => commands.some((c) => c.files.includes(f)));
      const why = (c: OldCommand) => check.perCommand.find((p) => p.command === g.commands.indexOf(c) && p.result === 'cannot load')?.why?.replace(/^old: /, '').replace(/; own model: .*$/, '');
      const notes = unloadable.map((c) => `the inferred command ${c.files.map((f) => `-f ${f.name}`).join(' ')} was left out: compose v2 cannot load it (${why(c)}), so nobody ran it that way`);
      for (const f of g.files.filter((x) => !files.includes(x))) res.untouched.push(`${join(g.rel, f.name)}: no command compose v2 can load combines it with the others; left as it is`);
      if (files.length < 2) {
        res.untouched.push(...notes.map((x) => `${g.rel}: ${x}`));
        return;
      }
      g = { ...g, commands, files, notes: [...(g.notes ?? []), ...notes] };
      plan = planGroup(g);
      check = await checkEquivalence(plan);
    }
    if (check.problems.length) res.refusals.push(`${g.rel}: the new file would not give the same project (${check.method}): ${check.problems.slice(0, 5).join('; ')}${check.problems.length > 5 ? `; and ${check.problems.length - 5} more` : ''}`);
    else res.plans.push({ plan, check });
  } catch (e) {
    if (!(e instanceof MigrateRefusal) && !(e instanceof MigrateInputError)) throw e;
    res.refusals.push(`${g.rel}: ${e.message}`);
    if (e instanceof MigrateInputError) res.inputError = true;
  }
}

const relTo = (plan: Plan, name: string) => join(plan.group.rel, name);
/** Project-relative, `/`-separated: the form applyChanges takes. */
const projPath = (rel: string, name: string) => posix.normalize(rel === '.' ? name : `${rel.split(sep).join('/')}/${name}`);

/** Everything migrate writes and deletes, in order, with the lines to print once it is done. */
export interface WritePlan {
  changes: Change[];
  done: string[];
  /** Why it cannot be written as planned (one line each); empty when it can. */
  problems: string[];
}

/**
 * The content of a project file exactly as it is on disk, or null when absent; a string problem when it
 * is not a plain file migrate may copy (a symlink, a folder, text that is not UTF-8 and would not
 * survive being copied as text).
 */
function currentOf(dir: string, path: string, what: 'write' | 'move'): { content: string | null; mode: number | null } | string {
  let s: PathState;
  // bounded: nothing migrate writes over or moves is that big (a 700 MB file there is not read at all)
  try {
    const st = lstatSync(join(dir, path));
    if (st.isFile() && st.size > MAX_INPUT_BYTES) return `${path} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; migrate does not replace or move it`;
  } catch {
    // absent (or not reachable): inspectPath says which
  }
  try {
    s = inspectPath(dir, path);
  } catch (e) {
    return e instanceof UnsafePathError ? e.message : `${path}: ${(e as Error).message}`;
  }
  if (s.kind === 'symlink') {
    return what === 'move'
      ? `${path} is a symlink: migrate does not move or remove links; replace it with the file it points to`
      : `${path} is a symlink: migrate never writes through one; remove the link and run again`;
  }
  if (s.kind === 'blocked') return s.why;
  if (s.kind === 'absent') return { content: null, mode: null };
  if (!Buffer.from(s.content, 'utf8').equals(readFileSync(join(dir, path)))) return `${path} is not UTF-8 text; migrate cannot keep an exact copy of it`;
  return { content: s.content, mode: s.stat.mode & 0o7777 };
}

/** Compose-named symlinks migrate would skip but break or lose: in a migrated folder, or pointing to a moved file. */
function linkProblems(dir: string, plans: Plan[], planned: Set<string>): string[] {
  const out: string[] = [];
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return null;
    }
  };
  const moved = new Set(plans.flatMap((p) => p.group.files.map((f) => real(f.path))).filter((p) => p !== null));
  const migrated = new Set(plans.map((p) => p.group.folder));
  for (const folder of new Set([...SEARCH_DIRS.map((sub) => join(dir, sub)), ...migrated])) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isSymbolicLink() || suffixOf(e.name) === null) continue;
      const path = projPath(relative(dir, folder) || '.', e.name);
      if (planned.has(path)) continue; // planned, or refused already
      const link = join(folder, e.name);
      const to = real(link); // null: dangling
      if (migrated.has(folder)) out.push(`${path} is a symlink: migrate does not move or remove links; replace it with the file it points to`);
      else if (to !== null && moved.has(to)) {
        out.push(`${path} is a symlink to ${relative(dir, to)}, which migrate moves away (the link would break); replace it with the file it points to, or remove it`);
      }
    }
  }
  return out;
}

/**
 * The whole write, planned before anything is touched: per migrated folder the backups (or the
 * deletes with --remove-old), then its compose.yaml; then docs/MIGRATION.md (its backup first).
 */
export function planWrite(dir: string, plans: { plan: Plan; check: Check }[], removeOld: boolean, unresolved: FoundCommand[] = [], skipped: string[] = []): WritePlan {
  const changes: Change[] = [];
  const done: string[] = [];
  const problems: string[] = [];
  const existingBaks: string[] = [];
  const seen = new Set<string>();
  /** Every path planned, or refused when it was looked at. */
  const touched = new Set<string>();
  const look = (path: string, what: 'write' | 'move') => {
    touched.add(path);
    return currentOf(dir, path, what);
  };
  const problem = (p: string) => {
    if (!seen.has(p)) problems.push(p);
    seen.add(p);
  };
  /** A new file (a backup) that must not exist yet: true when it can be written. */
  const fresh = (path: string): boolean => {
    const cur = look(path, 'write');
    if (typeof cur === 'string') problem(cur);
    else if (cur.content !== null) existingBaks.push(path);
    return typeof cur !== 'string' && cur.content === null;
  };

  for (const { plan } of plans) {
    const rel = plan.group.rel;
    const target = projPath(rel, NEW_FILE);
    for (const f of plan.group.files) {
      const path = projPath(rel, f.name);
      const cur = look(path, 'move');
      if (typeof cur === 'string') {
        problem(cur);
        continue;
      }
      if (cur.content !== f.text) {
        problem(`${path} changed while migrate was reading it; run it again`);
        continue;
      }
      if (!removeOld) {
        const bak = `${path}.bak`;
        if (fresh(bak)) {
          changes.push({ kind: 'write', path: bak, content: f.text, executable: false, expect: null, ...(cur.mode !== null ? { mode: cur.mode } : {}) });
        }
        done.push(`kept ${relTo(plan, f.name)} as ${relTo(plan, f.name)}.bak`);
      } else if (path !== target) done.push(`removed ${relTo(plan, f.name)}`);
      // the old compose.yaml is replaced by the write below, not deleted first
      if (path !== target) changes.push({ kind: 'delete', path, expect: f.text });
    }
    const cur = look(target, 'write');
    if (typeof cur === 'string') problem(cur);
    else {
      changes.push({ kind: 'write', path: target, content: plan.content, executable: false, expect: cur.content });
      done.push(`${cur.content !== null ? 'replaced' : 'wrote'} ${relTo(plan, NEW_FILE)}`);
    }
  }

  const guide = look(GUIDE, 'write');
  if (typeof guide === 'string') problem(guide);
  else {
    if (guide.content !== null && fresh(`${GUIDE}.bak`)) {
      changes.push({ kind: 'write', path: `${GUIDE}.bak`, content: guide.content, executable: false, expect: null, ...(guide.mode !== null ? { mode: guide.mode } : {}) });
      done.push(`kept the previous ${GUIDE} as ${GUIDE}.bak`);
    }
    changes.push({ kind: 'write', path: GUIDE, content: migrationGuide(plans, removeOld, unresolved, skipped), executable: false, expect: guide.content });
    done.push(`wrote ${GUIDE}`);
  }

  problems.push(...linkProblems(dir, plans.map((p) => p.plan), touched).filter((p) => !seen.has(p)));
  if (existingBaks.length) problems.push(`backups already exist: ${existingBaks.join(', ')} (move them away first)`);
  return { changes, done, problems };
}



export async function migrateCommand(dir: string, opts: MigrateOptions): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`);
  const out = (s: string) => process.stdout.write(s);
  const res = await planMigration(dir);
  if (res.refusals.length && res.plans.length === 0) {
    for (const r of res.refusals) process.stderr.write(`error: cannot migrate ${printableLine(r)}\n`);
    process.stderr.write('Nothing was changed.\n');
    return res.inputError ? 2 : 1;
  }
  for (const u of res.untouched) out(`${printableLine(u)}\n`);
  if (res.plans.length === 0) {
    out(res.untouched.length ? 'Nothing to migrate.\n' : `Nothing to migrate: no compose files in ${SEARCH_DIRS.map((d) => (d === '.' ? 'the root' : `${d}/`)).join(', ')}.\n`);
    return 0;
  }
  for (const { plan, check } of res.plans) out(proposal(plan, check, opts.removeOld));
  // the other sets migrate; these stay as they are (also listed in docs/MIGRATION.md)
  for (const r of res.refusals) process.stderr.write(`skipped: cannot migrate ${printableLine(r)}\n`);
  const done = res.refusals.length ? SOME_SKIPPED : 0;
  const skippedNote = () => {
    if (done === SOME_SKIPPED) process.stderr.write(`${res.refusals.length} set(s) or file(s) skipped (see above); the others ${opts.dryRun ? 'would be' : 'were'} migrated.\n`);
  };

  if (opts.dryRun) {
    for (const { plan } of res.plans) {
      out(`\n==> ${relTo(plan, NEW_FILE)} (new) <==\n${plan.content}`);
      const base = plan.group.commands[0].files[0];
      out(`\n${unifiedDiff(base.text, plan.content, `a/${relTo(plan, base.name)}`, `b/${relTo(plan, NEW_FILE)}`)}`);
      for (const f of plan.group.files) if (f !== base || base.name !== NEW_FILE) out(`${relTo(plan, f.name)} -> ${opts.removeOld ? 'removed' : `${relTo(plan, f.name)}.bak`}\n`);
    }
    out(`\n==> ${GUIDE} (new) <==\n${migrationGuide(res.plans, opts.removeOld, res.unresolved, res.refusals)}`);
    out('\nDry run: nothing was written.\n');
    skippedNote();
    return done;
  }

  const wp = planWrite(dir, res.plans, opts.removeOld, res.unresolved, res.refusals);
  if (wp.problems.length) {
    for (const p of wp.problems) process.stderr.write(`error: ${printableLine(p)}\n`);
    process.stderr.write('Nothing was changed.\n');
    return 1;
  }
  if (!opts.yes) {
    if (!opts.interactive) throw new UsageError('migrate needs confirmation: pass --yes to accept the mapping above (or --dry-run to see the new files); nothing was written');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    // Ctrl-C (or a closed terminal) at the question: nothing was written, say so, exit 130.
    const cancelled = new Promise<never>((_, reject) => {
      rl.on('SIGINT', () => reject(new CancelledError()));
      rl.on('close', () => reject(new CancelledError()));
    });
    const answer = await Promise.race([rl.question('Write the new files? [y/N] '), cancelled]).finally(() => rl.close());
    if (!/^y(es)?$/i.test(answer.trim())) {
      out('Nothing was written.\n');
      return 1;
    }
  }
  let signal: NodeJS.Signals | null;
  try {
    ({ late: signal } = await applyUntilSignal(dir, wp.changes));
  } catch (e) {
    if (!(e instanceof UnsafePathError) && !(e instanceof ApplyError)) throw e;
    const lines = e instanceof UnsafePathError ? e.problems : [e.message];
    for (const l of lines) process.stderr.write(`error: ${printableLine(l)}\n`);
    process.stderr.write('Nothing was changed.\n');
    return 1;
  }
  for (const line of wp.done) out(`${printableLine(line)}\n`);
  if (signal) throw new CancelledAfterApply(signal);
  skippedNote();
  return done;
}
