// `create-pio-docker migrate [DIR]`: split compose files -> one profile-based compose.yaml per folder.
// Nothing is written unless every folder migrates with the equivalence check passing; old files are
// kept as *.bak unless --remove-old. Exit codes: 0 done (or nothing to do), 1 refused (the result
// would not be equivalent) or declined, 2 usage error or input it cannot read.
import { existsSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../cli/flags.js';
import { detect, SEARCH_DIRS, type Group } from '../migrate/detect.js';
import { unifiedDiff } from '../update/diff3.js';
import { migrationGuide, proposal } from '../migrate/guide.js';
import { MigrateInputError } from '../migrate/load.js';
import { MigrateRefusal, NEW_FILE, planGroup, type Plan } from '../migrate/plan.js';
import { checkEquivalence, type Check } from '../migrate/verify.js';

export interface MigrateOptions {
  yes: boolean;
  dryRun: boolean;
  removeOld: boolean;
  interactive: boolean;
}

export const GUIDE = 'docs/MIGRATION.md';

export interface MigrateResult {
  /** Migrated folders, with their plans and checks. */
  plans: { plan: Plan; check: Check }[];
  /** Folders left as they are, with why. */
  untouched: string[];
  /** Why nothing can be written (empty when it can). */
  refusals: string[];
  /** true when a refusal is about input it cannot read (exit 2), not about equivalence (exit 1). */
  inputError: boolean;
}

/** Everything short of writing: detection, plans, equivalence checks. Never throws for bad input. */
export async function planMigration(dir: string): Promise<MigrateResult> {
  const res: MigrateResult = { plans: [], untouched: [], refusals: [], inputError: false };
  let groups: Group[];
  try {
    groups = detect(dir);
  } catch (e) {
    if (!(e instanceof MigrateInputError)) throw e;
    return { ...res, refusals: [e.message], inputError: true };
  }
  for (const g of groups) {
    if (g.files.length < 2) {
      const profiled = Object.values(g.files[0].services).some((s) => s.profiles !== undefined);
      res.untouched.push(`${g.rel}/${g.files[0].name}: a single file${profiled ? ' that already uses profiles' : ''}; nothing to merge, left as it is`);
      continue;
    }
    try {
      const plan = planGroup(g);
      const check = await checkEquivalence(plan);
      if (check.problems.length) res.refusals.push(`${g.rel}: the new file would not give the same services (${check.method}): ${check.problems.slice(0, 5).join('; ')}${check.problems.length > 5 ? `; and ${check.problems.length - 5} more` : ''}`);
      else res.plans.push({ plan, check });
    } catch (e) {
      if (!(e instanceof MigrateRefusal) && !(e instanceof MigrateInputError)) throw e;
      res.refusals.push(`${g.rel}: ${e.message}`);
      if (e instanceof MigrateInputError) res.inputError = true;
    }
  }
  return res;
}

const relTo = (plan: Plan, name: string) => join(plan.group.rel, name);

/** Paths that must be free before writing: backups and the guide's backup. */
function blockers(dir: string, plans: Plan[], removeOld: boolean): string[] {
  const out: string[] = [];
  if (!removeOld) for (const p of plans) for (const f of p.group.files) if (existsSync(`${f.path}.bak`)) out.push(relative(dir, `${f.path}.bak`));
  if (existsSync(join(dir, GUIDE)) && existsSync(join(dir, `${GUIDE}.bak`))) out.push(`${GUIDE}.bak`);
  return out;
}

function write(dir: string, plans: { plan: Plan; check: Check }[], removeOld: boolean): string[] {
  const done: string[] = [];
  for (const { plan } of plans) {
    const target = join(plan.group.folder, NEW_FILE);
    for (const f of plan.group.files) {
      if (removeOld) {
        if (f.path === target) continue; // overwritten below
        unlinkSync(f.path);
        done.push(`removed ${relTo(plan, f.name)}`);
      } else {
        renameSync(f.path, `${f.path}.bak`);
        done.push(`kept ${relTo(plan, f.name)} as ${relTo(plan, f.name)}.bak`);
      }
    }
    done.push(`${existsSync(target) ? 'replaced' : 'wrote'} ${relTo(plan, NEW_FILE)}`);
    writeFileSync(target, plan.content);
  }
  const guide = join(dir, GUIDE);
  if (existsSync(guide)) {
    renameSync(guide, `${guide}.bak`);
    done.push(`kept the previous ${GUIDE} as ${GUIDE}.bak`);
  }
  mkdirSync(dirname(guide), { recursive: true });
  writeFileSync(guide, migrationGuide(plans, removeOld));
  done.push(`wrote ${GUIDE}`);
  return done;
}

export async function migrateCommand(dir: string, opts: MigrateOptions): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`);
  const out = (s: string) => process.stdout.write(s);
  const res = await planMigration(dir);
  if (res.refusals.length) {
    for (const r of res.refusals) process.stderr.write(`error: cannot migrate ${r}\n`);
    process.stderr.write('Nothing was changed.\n');
    return res.inputError ? 2 : 1;
  }
  for (const u of res.untouched) out(`${u}\n`);
  if (res.plans.length === 0) {
    out(res.untouched.length ? 'Nothing to migrate.\n' : `Nothing to migrate: no compose files in ${SEARCH_DIRS.map((d) => (d === '.' ? 'the root' : `${d}/`)).join(', ')}.\n`);
    return 0;
  }
  for (const { plan, check } of res.plans) out(proposal(plan, check, opts.removeOld));

  if (opts.dryRun) {
    for (const { plan } of res.plans) {
      out(`\n==> ${relTo(plan, NEW_FILE)} (new) <==\n${plan.content}`);
      const base = plan.group.commands[0].files[0];
      out(`\n${unifiedDiff(base.text, plan.content, `a/${relTo(plan, base.name)}`, `b/${relTo(plan, NEW_FILE)}`)}`);
      for (const f of plan.group.files) if (f !== base || base.name !== NEW_FILE) out(`${relTo(plan, f.name)} -> ${opts.removeOld ? 'removed' : `${relTo(plan, f.name)}.bak`}\n`);
    }
    out(`\n==> ${GUIDE} (new) <==\n${migrationGuide(res.plans, opts.removeOld)}`);
    out('\nDry run: nothing was written.\n');
    return 0;
  }

  const blocked = blockers(dir, res.plans.map((p) => p.plan), opts.removeOld);
  if (blocked.length) {
    process.stderr.write(`error: backups already exist: ${blocked.join(', ')} (move them away first)\nNothing was changed.\n`);
    return 1;
  }
  if (!opts.yes) {
    if (!opts.interactive) throw new UsageError('migrate needs confirmation: pass --yes to accept the mapping above (or --dry-run to see the new files); nothing was written');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('Write the new files? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      out('Nothing was written.\n');
      return 1;
    }
  }
  for (const line of write(dir, res.plans, opts.removeOld)) out(`${line}\n`);
  return 0;
}
