// `create-pio-docker update [DIR]`: re-reads platformio.ini, re-renders every artifact and merges
// it with the file on disk (3-way: base = what we generated last time, kept under
// .create-pio-docker/base/). Planning is pure (reads only); writing is a separate step so that
// --dry-run and --check share every decision with a real run.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AnswersError, defaultAnswers, type Answers } from '../answers.js';
import { TOOL_VERSION } from '../paths.js';
import { projectEnvs } from '../platformio/index.js';
import { renderAll } from '../render/index.js';
import { BASE_DIR, basePath, readBase, STORE_KEY, YO_RC } from '../state.js';
import { hasConflictMarkers, unifiedDiff } from './diff3.js';
import { describeEnvChanges, diffEnvs, type EnvChanges } from './envs-diff.js';
import { planFile, type FilePlan } from './plan-file.js';

export type { FilePlan, FileStatus } from './plan-file.js';


export interface UpdatePlan {
  envChanges: EnvChanges;
  answers: Answers;
  files: FilePlan[];
  warnings: string[];
  /** .yo-rc.json now and after the update (same string when nothing changes). */
  yoRc: { before: string; after: string };
}

/** An input problem the user must fix (exit 2). */
export class UpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateError';
  }
}

export interface UpdateOptions {
  dryRun: boolean;
  check: boolean;
}

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function readText(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Artifact paths we generated before (the base snapshots present), relative to the project. */
function basePaths(dir: string): string[] {
  const root = join(dir, BASE_DIR);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(root, join(d, e.name)).split('\\').join('/'));
    }
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}

/** Reads everything and decides every file; writes nothing. */
export function planUpdate(dir: string): UpdatePlan {
  if (!existsSync(join(dir, 'platformio.ini'))) throw new UpdateError(`no platformio.ini in ${dir}: update re-reads the envs from it`);
  const yoRcBefore = readText(join(dir, YO_RC)) ?? '';
  let rc: Record<string, unknown>;
  try {
    rc = yoRcBefore ? JSON.parse(yoRcBefore) : {};
  } catch (e) {
    throw new UpdateError(`${YO_RC} is not valid JSON: ${(e as Error).message}`);
  }
  const stored = rc[STORE_KEY] as { answers?: Answers; toolVersion?: string } | undefined;
  if (!stored?.answers) throw new UpdateError(`${dir} was never scaffolded (no create-pio-docker answers in ${YO_RC}): run create-pio-docker there first`);

  const current = projectEnvs(dir);
  const warnings = current.warnings;
  if (current.envs.length === 0) throw new UpdateError('platformio.ini defines no [env:NAME] section');
  const envChanges = diffEnvs(stored.answers.envs, current.envs, current.defaults);
  // Defaults first: answers stored by an older tool may lack a question added since.
  const answers: Answers = { ...defaultAnswers(stored.answers.projectName, envChanges.envs), ...stored.answers, envs: envChanges.envs };
  const artifacts = renderAll(answers);

  const paths = [...new Set([...artifacts.map((a) => a.path), ...basePaths(dir)])];
  const blocked = paths.filter((p) => {
    const text = readText(join(dir, p));
    return text !== null && hasConflictMarkers(text);
  });
  if (blocked.length) {
    throw new UpdateError(`unresolved conflict markers (<<<<<<< / >>>>>>>) from an earlier update in:\n${blocked.map((p) => `  ${p}`).join('\n')}\nResolve them (keep the lines you want, delete the marker lines), then run update again.`);
  }

  const files = paths.map((p) => {
    const artifact = artifacts.find((a) => a.path === p);
    return planFile(p, readBase(dir, p), readText(join(dir, p)), artifact?.content ?? null, artifact?.executable ?? false);
  });
  const nextRc = { ...rc, [STORE_KEY]: { ...stored, answers, toolVersion: TOOL_VERSION } };
  // Rewrite .yo-rc.json only when its content changes, so a no-op update touches no byte.
  const same = JSON.stringify(rc) === JSON.stringify(nextRc);
  return { envChanges, answers, files, warnings, yoRc: { before: yoRcBefore, after: same ? yoRcBefore : `${JSON.stringify(nextRc, null, 2)}\n` } };
}

/** Removes now-empty folders from `path`'s folder up to (not including) `stop`. */
function pruneEmpty(path: string, stop: string): void {
  for (let d = dirname(path); d.startsWith(stop) && d !== stop; d = dirname(d)) {
    if (!existsSync(d) || readdirSync(d).length) return;
    rmdirSync(d);
  }
}

export function applyUpdate(dir: string, plan: UpdatePlan): void {
  for (const f of plan.files) {
    const target = join(dir, f.path);
    if (f.result === null && f.ours !== null) {
      rmSync(target);
      pruneEmpty(target, dir);
    } else if (f.result !== null && f.result !== f.ours) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.result);
      if (f.executable) chmodSync(target, 0o755);
    }
    const snap = join(dir, basePath(f.path));
    const oldBase = readText(snap);
    if (f.base === null && oldBase !== null) {
      rmSync(snap);
      pruneEmpty(snap, join(dir, BASE_DIR));
    } else if (f.base !== null && f.base !== oldBase) {
      mkdirSync(dirname(snap), { recursive: true });
      writeFileSync(snap, f.base);
    }
  }
  if (plan.yoRc.after !== plan.yoRc.before) writeFileSync(join(dir, YO_RC), plan.yoRc.after);
}

/** Files whose content the update changes (for --check), conflicts included. */
export function staleFiles(plan: UpdatePlan): FilePlan[] {
  return plan.files.filter((f) => f.result !== f.ours || f.status === 'CONFLICT');
}

export function summary(plan: UpdatePlan, dryRun = false): string {
  const envLines = describeEnvChanges(plan.envChanges);
  const lines = [
    ...plan.warnings.map((w) => `warning: ${w}`),
    ...(envLines.length ? ['platformio.ini changes:', ...envLines.map((l) => `  ${l}`)] : ['platformio.ini: no env changes']),
    dryRun ? 'Files (dry run, nothing written):' : 'Files:',
    ...plan.files.map((f) => `  ${f.status.padEnd(30)} ${f.path}`),
  ];
  const conflicts = plan.files.filter((f) => f.status === 'CONFLICT');
  if (conflicts.length) {
    lines.push(
      '',
      `${conflicts.length} file(s) with conflicts: both you and the new generation changed the same lines.`,
      ...conflicts.map((f) => `  ${f.path}${f.conflictPaths.length ? ` (${f.conflictPaths.join(', ')})` : ''}`),
      dryRun
        ? 'A real run would write them with <<<<<<< ours / ======= / >>>>>>> generated markers.'
        : 'Edit the <<<<<<< ours / ======= / >>>>>>> generated blocks (keep what you want, drop the markers); update refuses to run until they are gone.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the update as the CLI does; returns the exit code (0 clean, 1 conflicts or stale, 2 input error). */
export async function updateCommand(dir: string, opts: UpdateOptions, io: Output = STDIO): Promise<number> {
  let plan: UpdatePlan;
  try {
    plan = planUpdate(dir);
  } catch (e) {
    const err = e as Error;
    if (err instanceof UpdateError || err instanceof AnswersError || err.name === 'PioConfigError') {
      io.err(`error: ${err.message}\n`);
      return 2;
    }
    throw e;
  }
  const conflicted = plan.files.some((f) => f.status === 'CONFLICT');

  if (opts.check) {
    const stale = staleFiles(plan);
    for (const w of plan.warnings) io.err(`warning: ${w}\n`);
    if (!stale.length) {
      io.out('generated files are up to date with platformio.ini\n');
      return 0;
    }
    io.out(`generated files are out of date (run create-pio-docker update):\n${stale.map((f) => `  ${f.status.padEnd(30)} ${f.path}`).join('\n')}\n`);
    return 1;
  }

  if (opts.dryRun) {
    // The diff alone goes to stdout, so `update --dry-run > x.patch` is a usable patch.
    for (const f of plan.files) {
      if (f.result === f.ours) continue;
      io.out(unifiedDiff(f.ours ?? '', f.result ?? '', f.ours === null ? '/dev/null' : `a/${f.path}`, f.result === null ? '/dev/null' : `b/${f.path}`));
    }
    io.err(summary(plan, true));
    return conflicted ? 1 : 0;
  }

  applyUpdate(dir, plan);
  io.out(summary(plan));
  return conflicted ? 1 : 0;
}
