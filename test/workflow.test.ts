// The generated GitHub Actions workflow: its matrix follows the envs (native envs run tests and
// upload nothing), and the shell in its `run:` steps passes shellcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultAnswers, validateAnswers } from '../src/answers.js';
import { renderWorkflow } from '../src/render/workflow.js';

interface Step {
  name?: string;
  if?: string;
  run?: string;
  with?: Record<string, string>;
}

const answers = validateAnswers(
  defaultAnswers('demo', [
    { name: 'esp32 debug', board: 'esp32dev', platform: 'espressif32' },
    { name: 'native', board: null, platform: 'native' },
  ]),
);
const [artifact] = renderWorkflow(answers);
const workflow = parse(artifact.content);
const job = workflow.jobs.build;
const steps: Step[] = job.steps;
const many = validateAnswers(
  defaultAnswers('big', Array.from({ length: 208 }, (_, i) => ({ name: i === 0 ? 'main board' : `env${i}`, board: 'esp32dev', platform: i === 7 ? 'native' : 'espressif32' }))),
);
const manyText = renderWorkflow(many)[0].content;
const manyWorkflow = parse(manyText);

test('the matrix lists every env in order, marking native ones', () => {
  assert.equal(job.strategy.matrix.include, [
    { env: 'esp32 debug', native: false },
    { env: 'native', native: true },
  ]);
});

test('native envs run `test`, others build with --output; only firmware envs upload', () => {
  const build = steps.find((s) => s.name === 'Build ${{ matrix.env }}')!;
  assert.match(build.run!, /command=\(test -e "\$PIO_ENV"\)/);
  assert.match(build.run!, /command=\(build -e "\$PIO_ENV" --output firmware\)/);
  assert.match(build.run!, /demo-pio:builder "\$\{command\[@\]\}"/);
  const upload = steps.find((s) => s.name === 'Upload firmware')!;
  assert.is(upload.if, '${{ !matrix.native }}');
  assert.is(upload.with!['if-no-files-found'], 'error');
});

test('no workflow when CI is none', () => {
  assert.equal(renderWorkflow({ ...answers, ci: 'none' }), []);
});

test('the image build takes BASE_IMAGE, PLATFORMIO_VERSION, PIP_* and the network from repository variables, pinned defaults without', () => {
  for (const wf of [workflow, manyWorkflow]) {
    for (const j of Object.values(wf.jobs) as { steps: Step[] }[]) {
      const build = j.steps.find((s) => s.name === 'Build the builder image')!;
      assert.equal(build.with!['build-args'].trim().split('\n'), [
        `BASE_IMAGE=\${{ vars.BASE_IMAGE || '${answers.baseImage}' }}`,
        `PLATFORMIO_VERSION=\${{ vars.PLATFORMIO_VERSION || '${answers.platformioVersion}' }}`,
        'PIP_INDEX_URL=${{ vars.PIP_INDEX_URL }}',
        'PIP_TRUSTED_HOST=${{ vars.PIP_TRUSTED_HOST }}',
      ]);
      assert.is(build.with!.network, "${{ vars.BUILD_NETWORK || 'default' }}");
    }
  }
});

test('few envs: no inputs and no `all` job', () => {
  assert.equal(Object.keys(workflow.jobs), ['build']);
  assert.is(workflow.on.workflow_dispatch, null);
});

test('many envs: the matrix builds the default env only; every env in one `all` job started by hand', () => {
  assert.ok(manyText.split('\n').length < 200, `${manyText.split('\n').length} lines`);
  assert.equal(manyWorkflow.jobs.build.strategy.matrix.include, [{ env: 'main board', native: false }]);
  assert.equal(manyWorkflow.on.workflow_dispatch.inputs.all_envs, { description: 'Build every env (208) in one job, not only the default env', type: 'boolean', default: false });
  const all = manyWorkflow.jobs.all;
  assert.is(all.if, "${{ github.event_name == 'workflow_dispatch' && inputs.all_envs }}");
  const run = (all.steps as Step[]).find((s) => s.name === 'Build every env')!;
  assert.match(run.run!, /big-pio:builder all --output firmware\n/);
  assert.match(run.run!, /-e PIO_JOBS /);
});

test('every run: step passes shellcheck (bash, as GitHub runs it)', () => {
  const scripts = [...steps, ...(manyWorkflow.jobs.all.steps as Step[])].filter((s) => s.run);
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

test.run();
