// verify builds with the mirror settings the generated scripts use: a flag wins, then the
// environment, then `.env` at the repository root; it names each value's source, and never prints
// a credential (URL user-info) given in any of them: not in progress, the table or --json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { platformio } from '../src/presets/platformio/index.js';
import { parseDotenv, resolveSettings } from '../src/verify/settings.js';
import { removeProject, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { runVerifyJson } from './helpers/verify-run.js';

const unit = suite('verify settings');
const PIO_SETTINGS = platformio.buildSettings;
const DOCKERFILE = 'ARG BASE_IMAGE=python:3\nARG PLATFORMIO_VERSION=6\nARG PIP_INDEX_URL=\nFROM ${BASE_IMAGE} AS dev\n';

unit('.env lines: last wins, export and quotes, comments, CRLF; never run', () => {
  const env = parseDotenv('# c\nexport A=1\nB="two words" \nC=\'x#y\'\nD=plain # note\r\nA=2\n$(touch /tmp/x)\n');
  assert.equal(env, { A: '2', B: 'two words', C: 'x#y', D: 'plain' });
});

unit('flags win, then the environment, then .env; each source named, secrets redacted', () => {
  const dir = tempProject({ '.env': 'BASE_IMAGE=from-dotenv\nPLATFORMIO_VERSION=6.1.0\nPIP_INDEX_URL=http://u:DOTENVSECRET@mirror/simple\nBUILD_NETWORK=host\nUNRELATED=1\n' });
  try {
    const s = resolveSettings(dir, DOCKERFILE, { buildArgs: { BASE_IMAGE: 'from-flag' } }, PIO_SETTINGS, { PLATFORMIO_VERSION: '6.1.5', PIP_INDEX_URL: '' });
    assert.equal(s.buildArgs, { BASE_IMAGE: 'from-flag', PLATFORMIO_VERSION: '6.1.5', PIP_INDEX_URL: 'http://u:DOTENVSECRET@mirror/simple' });
    assert.is(s.network, 'host');
    assert.equal(s.described, [
      'BASE_IMAGE=from-flag (--build-arg)',
      'PLATFORMIO_VERSION=6.1.5 (environment)',
      'PIP_INDEX_URL=http://***@mirror/simple (.env)',
      'BUILD_NETWORK=host (.env)',
    ]);
    assert.ok(s.secrets.includes('DOTENVSECRET'));
    assert.not.ok(s.described.join(' ').includes('DOTENVSECRET'));
    // A flag for the network wins over BUILD_NETWORK; a build arg the Dockerfile does not declare is not taken from .env.
    const t = resolveSettings(dir, 'FROM x AS dev\n', { buildArgs: {}, network: 'default' }, PIO_SETTINGS, {});
    assert.is(t.network, 'default');
    assert.equal(Object.keys(t.buildArgs), ['PIP_INDEX_URL']);
    // pip's settings that are no build argument: from the environment the preset reads them itself (and names the source).
    const u = resolveSettings(dir, 'FROM x AS dev\n', { buildArgs: {} }, PIO_SETTINGS, { PIP_TRUSTED_HOST: 'mirror' });
    assert.not.ok('PIP_TRUSTED_HOST' in u.buildArgs);
    assert.ok(u.described.includes('PIP_TRUSTED_HOST=mirror (environment)'));
  } finally {
    removeProject(dir);
  }
});

unit.run();

// On the engine: the acceptance of issue 19 (a credential in --build-arg is never printed) and of
// issue 21 (the mirror in .env is used: the local base image is found, no pull is tried).
const { test } = await engineSuite('verify settings (engine)');

async function scaffolded(): Promise<string> {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI, 'src/main.cpp': 'int main() { return 0; }\n' });
  const r = runCli(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

test('--build-arg PIP_INDEX_URL with a password: SECRET is never printed (stdout, stderr, --json)', async () => {
  const dir = await scaffolded();
  try {
    const args = ['verify', '--target', 'dev', '--network', 'host', '--build-arg', `BASE_IMAGE=${TEST_IMAGES.python}`, '--build-arg', 'PIP_INDEX_URL=http://u:SECRET@127.0.0.1:1/simple', '--json', '-'];
    const r = await runVerifyJson(args, dir);
    // The build fails at pip (nothing listens on port 1), so pip's and BuildKit's texts are printed.
    assert.is(r.code, 1);
    assert.ok(r.stderr.includes('http://***@127.0.0.1:1/simple'), r.stderr);
    assert.not.ok(`${JSON.stringify(r.report)}\n${r.stderr}`.includes('SECRET'), 'SECRET was printed');
    // The table on stdout and a report file.
    const file = join(dir, 'report.json');
    const f = runCli([...args.slice(0, -2), '--json', file], dir);
    assert.is(f.code, 1, f.stderr);
    assert.match(f.stdout, 'failed');
    assert.not.ok(`${f.stdout}\n${f.stderr}\n${readFileSync(file, 'utf8')}`.includes('SECRET'));
  } finally {
    removeProject(dir);
  }
});

test('a mirror in .env (BASE_IMAGE, BUILD_NETWORK exported): used and named with its source', async () => {
  const dir = await scaffolded();
  try {
    writeFileSync(join(dir, '.env'), `BASE_IMAGE=${TEST_IMAGES.python}\nPIP_INDEX_URL=http://u:DOTENVSECRET@127.0.0.1:1/simple\n`);
    const r = await runVerifyJson(['verify', '--target', 'dev', '--json', '-'], dir, { BUILD_NETWORK: 'host' });
    assert.match(r.stderr, `settings: BASE_IMAGE=${TEST_IMAGES.python} (.env), PIP_INDEX_URL=http://***@127.0.0.1:1/simple (.env), BUILD_NETWORK=host (environment)`);
    // The base image from .env is the local one: no pull from Docker Hub is tried.
    const arch = r.report.checks.find((c) => c.name === 'architecture');
    assert.is(arch?.status, 'pass', JSON.stringify(r.report.checks));
    assert.not.match(r.stderr, /not present locally/);
    assert.not.ok(`${JSON.stringify(r.report)}\n${r.stderr}`.includes('DOTENVSECRET'));
  } finally {
    removeProject(dir);
  }
});

test.run();
