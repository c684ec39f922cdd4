// What a run tells the user: the files it changed (never its own state file), conflicts and what
// to do about them, and the next steps. Pure: text in, text out.
import { presetOf } from '../presets/index.js';
import { envSlug, type Answers } from '../core/answers.js';
import { FILES } from '../core/paths.js';
import { printableLine } from '../core/safety/text.js';
import { describeEnvChanges, type EnvChanges } from '../update/envs-diff.js';
import type { Plan } from './plan.js';
import { STATE_FILE } from './state.js';

const row = (status: string, path: string) => `  ${status.padEnd(34)} ${path}`;

export function envLines(c: EnvChanges | null): string[] {
  if (!c) return [];
  const lines = describeEnvChanges(c);
  return lines.length ? ['platformio.ini changes:', ...lines.map((l) => `  ${printableLine(l)}`)] : ['platformio.ini: no env changes'];
}

/** Why nothing was written, and what to do. */
export function blockedText(plan: Plan): string {
  const inTheWay = plan.blocking.filter((f) => f.status === 'IN THE WAY');
  const lines = [...(plan.baseProblem ? [`warning: ${plan.baseProblem}`] : []), 'Nothing was written: these paths are in the way.', ...plan.blocking.map((f) => row(f.status, f.why ?? f.path))];
  if (inTheWay.length) lines.push('Move them away, run in a terminal to decide file by file, or pass --force to overwrite them.');
  if (plan.blocking.some((f) => f.status === 'SYMLINK, not written')) lines.push('A symlink is never written through; --force replaces the link itself (never what it points to).');
  if (plan.blocking.some((f) => f.status === 'BLOCKED')) lines.push('A symlinked or non-folder parent cannot be forced: make it a real folder first.');
  return `${lines.join('\n')}\n`;
}

/** Files left as they are, by choice or because only you changed them: listed apart from what changed. */
const KEPT: ReadonlySet<string> = new Set(['kept (yours)', 'kept (yours; no longer generated)', 'kept (yours, as you chose)', 'deleted by you, left deleted']);

export function summaryText(plan: Plan, envChanges: EnvChanges | null, opts: { dryRun?: boolean } = {}): string {
  const changed = plan.files.filter((f) => f.status !== 'unchanged' && !KEPT.has(f.status));
  const kept = plan.files.filter((f) => KEPT.has(f.status));
  const lines = [...envLines(envChanges)];
  if (plan.baseProblem) lines.push(`warning: ${plan.baseProblem}`);
  const keptLines = kept.length ? ['Kept as you have them (not regenerated):', ...kept.map((f) => row(f.status, f.path))] : [];
  for (const f of kept) if (f.lacks) keptLines.push(`warning: your ${f.path} (kept) lacks ${f.lacks}`);
  if (!changed.length && !plan.legacyCleanup.length) {
    lines.push(plan.changes.length ? 'Nothing changed in the generated files (answers recorded).' : 'Nothing changed.', ...keptLines);
    return `${lines.join('\n')}\n`;
  }
  lines.push(opts.dryRun ? 'Would change (dry run, nothing written):' : 'Changed:', ...changed.map((f) => row(f.status, f.path)));
  if (plan.legacyCleanup.length) lines.push(row(opts.dryRun ? 'would move into' : 'moved into', `${STATE_FILE} (from ${plan.legacyCleanup.length > 1 ? `${plan.legacyCleanup[plan.legacyCleanup.length - 1]} and .create-pio-docker/base/` : plan.legacyCleanup[0]})`));
  lines.push(...keptLines);
  if (plan.conflicts.length) {
    lines.push(
      '',
      `${plan.conflicts.length} file(s) with conflicts: both you and the new generation changed the same lines.`,
      ...plan.conflicts.map((f) => `  ${f.path}${f.conflictPaths.length ? ` (${f.conflictPaths.join(', ')})` : ''}`),
      opts.dryRun
        ? 'A real run would write them with <<<<<<< ours / ======= / >>>>>>> generated markers.'
        : 'Edit the <<<<<<< ours / ======= / >>>>>>> generated blocks (keep what you want, drop the markers); update refuses to run until they are gone.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Files baked into an image: a change to one leaves the built image stale until it is rebuilt. */
const inImage = (path: string) => path === FILES.dockerfile || path === FILES.dockerignore || path.startsWith('docker/');

/**
 * After a run that changed what the image holds (Dockerfile, entrypoint, build script with its env
 * list): say so, with the commands that rebuild it (`run --rm build list` lists the old envs until then).
 */
export function rebuildText(plan: Plan): string {
  const baked = plan.files.filter((f) => f.result !== null && f.result !== f.ours && inImage(f.path)).map((f) => f.path);
  if (!baked.length) return '';
  const paths = new Set(plan.files.map((f) => f.path));
  const commands = paths.has(FILES.buildScript)
    ? [FILES.buildScript, ...(paths.has(FILES.composeImages) ? [`${FILES.buildScript} --target dev   # the dev image, when you use the shell`] : [])]
    : paths.has(FILES.localCi)
      ? [`${FILES.localCi} build-docker`]
      : [];
  return [`The images are out of date: ${baked.join(', ')} changed, and the builds use the image. Rebuild it:`, ...commands.map((c) => `  ${c}`), ''].join('\n');
}

/** After a first scaffold: how to build, check and commit. */
export function nextSteps(a: Answers): string {
  // Presets other than PlatformIO say their own next steps.
  const own = presetOf(a).nextSteps?.(a);
  if (own !== undefined) return own;
  const env = a.envs[0];
  const slug = envSlug(env.name);
  const generated = [FILES.dockerfile, FILES.dockerignore, 'docker/', 'scripts/', 'compose.*.yaml', ...(a.ci === 'github' ? ['.github/'] : []), ...(a.devcontainer ? ['.devcontainer/'] : []), ...(a.arc ? ['arc/'] : []), FILES.docs, STATE_FILE];
  return [
    '',
    'Next steps:',
    `  scripts/build-docker.sh                                  # build the images`,
    `  docker compose -f ${FILES.composeBuild} run --rm ${slug}   # build ${printableLine(env.name)}; exits with the build's exit code`,
    '  npx create-pio-docker verify                             # build and smoke-test everything on your Docker engine',
    `  git add ${generated.join(' ')}`,
    `Commit ${STATE_FILE} with the rest: \`create-pio-docker update\` merges from it. Docs: ${FILES.docs}`,
    '',
  ].join('\n');
}
