// A private package index with credentials, on the engine: the generated scripts/build-docker.sh
// hands a PIP_INDEX_URL with a user and password to the build as a BuildKit secret, and pip in the
// Dockerfile's tools-secret stage reaches the index with them (the stand-in index refuses requests
// without them, as a private index does). Neither the docker command line, the build's output, nor
// the image's history and config hold the password. The PlatformIO TEST STAND-IN is served.
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILES } from '../src/core/paths.js';
import { removeProject, runCli, tempProject } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { runAsync } from './helpers/run-async.js';
import { buildStandinWheel } from './standin/wheel.js';

const { test, docker } = await engineSuite('pip index with credentials: a BuildKit secret (engine)');

const PASSWORD = `S3cret${randomBytes(8).toString('hex')}`;
const TAG = `cpd-pip-secret-${process.pid}:dev`;
let index: PipIndex | undefined;
let wheels: string | undefined;

test.before(async () => {
  wheels = mkdtempSync(join(tmpdir(), 'cpd-pip-secret-'));
  buildStandinWheel(wheels);
  index = await startPipIndex(wheels, { auth: `cpd:${PASSWORD}` });
});

test.after(async () => {
  await index?.close();
  if (wheels) rmSync(wheels, { recursive: true, force: true });
  await docker.getImage(TAG).remove({ force: true }).catch(() => {});
});

test('build-docker.sh: the index credentials go in as a secret, pip uses them, no trace of the password in the image or the output', async () => {
  const dir = tempProject({ 'platformio.ini': '[env:uno]\nplatform = atmelavr\nboard = uno\nframework = arduino\n' });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    const url = index!.url.replace('http://', `http://cpd:${PASSWORD}@`);
    const env = { PIP_INDEX_URL: url, PIP_TRUSTED_HOST: '127.0.0.1', BASE_IMAGE: TEST_IMAGES.python };
    const dry = await runAsync(join(dir, FILES.buildScript), ['--dry-run', '--target', 'dev', '--tag', TAG, '--network', 'host', '--no-cache'], { env });
    assert.is(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /--secret id=pip_index_url,env=PIP_INDEX_URL --build-arg PIP_INDEX_FROM=secret/);
    assert.not.ok(dry.stdout.includes(PASSWORD), dry.stdout);
    // --no-cache: the secret's value is no part of a step's cache key, so a cached step would not
    // ask the index at all.
    const r = await runAsync(join(dir, FILES.buildScript), ['--target', 'dev', '--tag', TAG, '--network', 'host', '--no-cache'], { env, timeoutMs: 900_000 });
    assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`.slice(-3000));
    assert.ok(index!.served.ok > 0, 'pip reached the index with the credentials');
    const pio = await runAsync('docker', ['run', '--rm', TAG, 'pio', '--version']);
    assert.match(pio.stdout, /test stand-in/, `the stand-in came from the index: ${pio.stdout}${pio.stderr}`);
    const history = await runAsync('docker', ['history', '--no-trunc', TAG]);
    const inspect = JSON.stringify(await docker.getImage(TAG).inspect());
    for (const [what, text] of [['build output', r.stdout + r.stderr], ['docker history', history.stdout], ['docker image inspect', inspect]]) {
      assert.not.ok(text.includes(PASSWORD), `${what} holds the password`);
    }
  } finally {
    removeProject(dir);
  }
});

test.run();
