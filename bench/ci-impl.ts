// The CI numbers of `npm run bench` (section "ci"), counted statically from the workflow YAML:
// nothing runs on GitHub. "Before" is the workflow template of commit BEFORE (read with git)
// rendered as that commit's renderer did, "after" is what the renderer generates now, for the same
// answer sets. Writes { title, markdown } as JSON to the file named by argv[2].
import { execFileSync } from 'node:child_process';
import ejs from 'ejs';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { defaultAnswers, validateAnswers, type Answers } from '../src/core/answers.js';
import { renderContext } from '../src/presets/platformio/render/context.js';
import { renderWorkflow } from '../src/presets/platformio/render/workflow.js';
import { GOLDEN_SETS } from '../test/golden-sets.js';
import { evalExpr } from '../test/helpers/github-expr.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The last commit before the workflow was reworked (issue 12). */
const BEFORE = '5a0eaf0';

interface Step { uses?: string; run?: string; with?: Record<string, unknown> }
interface Job { if?: string; 'runs-on': string | string[]; strategy?: { matrix: { include: Record<string, unknown>[] } }; steps: Step[] }

const EVENTS: Record<string, Record<string, unknown>> = {
  'push to main': { github: { event_name: 'push', ref: 'refs/heads/main', event: { repository: { default_branch: 'main' } } }, inputs: {} },
  'pull request': { github: { event_name: 'pull_request', ref: 'refs/pull/1/merge', event: { repository: { default_branch: 'main' } } }, inputs: {} },
};

interface Counts {
  builds: number;
  buildJobs: number;
  /** Cache entries (one per distinct key scope saved in the run) the job restoring the most may restore. */
  restorable: number;
  /** Platforms whose packages one restored cache may hold, once restore-keys have mixed entries run after run. */
  platforms: number;
  /** Jobs that restore a cache at all. */
  cacheJobs: number;
}

function count(text: string, a: Answers, event: Record<string, unknown>): Counts {
  const jobs = Object.values((parse(text) as { jobs: Record<string, Job> }).jobs).filter((j) => !j.if || evalExpr(j.if, event));
  const platformOf = new Map(a.envs.map((e) => [e.name, e.platform ?? `env ${e.name}`]));
  let builds = 0;
  let buildJobs = 0;
  // Every matrix instance that restores a cache: the scope it saves under, its restore prefixes, its platform.
  const caches: { scope: string; prefixes: string[]; platforms: Set<string> }[] = [];
  for (const j of jobs) {
    const instances = j.strategy?.matrix.include ?? [{}];
    const n = j.steps.filter((s) => s.uses?.startsWith('docker/build-push-action') || /\bdocker (buildx )?build\b/.test(s.run ?? '')).length;
    builds += n * instances.length;
    buildJobs += n > 0 ? instances.length : 0;
    for (const m of instances) {
      const fill = (s: string) => s.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k) => String(m[k]));
      for (const s of j.steps.filter((s) => s.uses?.startsWith('actions/cache'))) {
        const key = fill(String(s.with!.key)).replace(/\$\{\{\s*hashFiles\([^)]*\)\s*\}\}/, 'HASH');
        const prefixes = String(s.with!['restore-keys'] ?? '').split('\n').map((l) => fill(l.trim())).filter(Boolean);
        const env = m.env === undefined ? undefined : String(m.env);
        caches.push({ scope: key, prefixes: [key, ...prefixes], platforms: new Set(env === undefined ? a.envs.map((e) => platformOf.get(e.name)!) : [platformOf.get(env)!]) });
      }
    }
  }
  const restorableBy = (c: (typeof caches)[number]) => caches.filter((o) => c.prefixes.some((p) => o.scope.startsWith(p)));
  // What a saved entry holds after many runs: its own platform's packages plus whatever it restored.
  let changed = true;
  while (changed) {
    changed = false;
    for (const c of caches) for (const o of restorableBy(c)) for (const p of o.platforms) if (!c.platforms.has(p)) (c.platforms.add(p), (changed = true));
  }
  const scopes = (list: typeof caches) => new Set(list.map((c) => c.scope)).size;
  return {
    builds,
    buildJobs,
    restorable: Math.max(0, ...caches.map((c) => scopes(restorableBy(c)))),
    platforms: Math.max(0, ...caches.map((c) => c.platforms.size)),
    cacheJobs: caches.length,
  };
}

/** The workflow BEFORE's renderer made: its template, its action tags, its matrix (all envs, or the first beyond 20). */
const oldTemplate = execFileSync('git', ['show', `${BEFORE}:templates/workflow.yml.ejs`], { cwd: ROOT, encoding: 'utf8' });
const OLD_ACTIONS = { checkout: 'actions/checkout@v4', setupBuildx: 'docker/setup-buildx-action@v3', buildPush: 'docker/build-push-action@v6', cache: 'actions/cache@v4', uploadArtifact: 'actions/upload-artifact@v4' };
function renderBefore(a: Answers): string {
  const c = renderContext(a);
  const ctx = { ...c, versions: { ...c.versions, actions: OLD_ACTIONS }, matrixEnvs: c.manyEnvs ? c.envs.slice(0, 1) : c.envs };
  return ejs.render(oldTemplate, ctx, { localsName: 'c', strict: true, escape: (x: string) => x });
}

const platforms = ['espressif32', 'espressif8266', 'atmelavr'];
const SETS: Record<string, Answers> = {
  ...GOLDEN_SETS,
  'hosted-12': validateAnswers({ ...defaultAnswers('hosted', Array.from({ length: 12 }, (_, i) => ({ name: `board${i}`, board: 'b', platform: platforms[i % 3] }))), runners: { kind: 'none', dev: 0, prod: 0, labels: [] } }),
  'espurna-like': validateAnswers({ ...defaultAnswers('espurna', Array.from({ length: 208 }, (_, i) => ({ name: `env${i}`, board: 'b', platform: platforms[i % 2] }))), runners: { kind: 'none', dev: 0, prod: 0, labels: [] } }),
};

const rows: string[] = [];
for (const [name, a] of Object.entries(SETS)) {
  if (a.ci !== 'github') continue;
  const before = renderBefore(a);
  const after = renderWorkflow(a)[0].content;
  const runners = a.runners.kind === 'none' ? 'GitHub-hosted' : `self-hosted (${['dev', 'prod'].filter((g) => a.runners[g as 'dev' | 'prod'] > 0).join('+')})`;
  for (const [event, ctx] of Object.entries(EVENTS)) {
    const b = count(before, a, ctx);
    const n = count(after, a, ctx);
    const arrow = (x: number, y: number) => (x === y ? `${x}` : `${x} → ${y}`);
    rows.push(`| ${name} (${a.envs.length} envs, ${runners}${a.image.registry ? ', registry' : ''}${a.platforms.length > 1 ? `, ${a.platforms.length} platforms` : ''}) | ${event} | ${arrow(b.builds, n.builds)} | ${arrow(b.cacheJobs, n.cacheJobs)} | ${arrow(b.restorable, n.restorable)} | ${arrow(b.platforms, n.platforms)} |`);
  }
}

const markdown = `Counted from the workflow YAML, not measured on GitHub: "before" is the workflow template of commit
\`${BEFORE}\` rendered as its renderer did, "after" the one generated now, for the same answer sets
(test/golden-sets.ts without \`minimal\`, which has no CI; \`hosted-12\`: 12 envs on 3 platforms;
\`espurna-like\`: 208 envs on 2 platforms). Jobs whose \`if:\` is false for the event are left out.

- **image builds**: \`docker/build-push-action\` / \`docker build\` steps times the matrix jobs that run them.
  Self-hosted: 0, the build jobs run in the runner image; \`full\` builds and pushes its three images
  for two platforms in one job (pushes only from the default branch).
- **jobs restoring a cache**: matrix jobs with \`actions/cache\`; self-hosted jobs use the runner
  group's cache volume instead.
- **cache entries one job may restore**: distinct cache keys saved in a run that the job's \`key\`
  or \`restore-keys\` match. Before, \`restore-keys: pio-\` matched every env's entry.
- **platforms in one restored cache**: the platforms whose packages an entry can hold once
  entries restore each other run after run (restored, then saved under the job's own key). This
  is the growth toward GitHub's cache limit; after, an entry holds its own platform's packages
  only (sizes are not measured here: they depend on the platforms).

| answer set | event | image builds | jobs restoring a cache | cache entries one job may restore | platforms in one restored cache |
|---|---|---|---|---|---|
${rows.join('\n')}
`;

writeFileSync(process.argv[2], JSON.stringify({ title: 'CI workflow: image builds and cache scope (static count)', markdown }));
