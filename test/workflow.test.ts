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
const job = parse(artifact.content).jobs.build;
const steps: Step[] = job.steps;

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

test('every run: step passes shellcheck (bash, as GitHub runs it)', () => {
  const scripts = steps.filter((s) => s.run);
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
