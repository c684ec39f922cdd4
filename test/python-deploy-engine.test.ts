// python-wheels `scripts/local-ci.sh deploy` on the engine: the PyPI token reaches twine, and
// nothing `docker inspect` shows of the running deploy container holds it (no environment
// variable, no argument). PyPI is out of reach here: the clean image is a stand-in with a twine
// TEST STAND-IN that uploads nothing, fails where the real upload would (no token, no wheel, a
// username other than __token__), reports a hash of the password it got and waits a few seconds,
// so the test can inspect the container while it runs.
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './helpers/cli.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { ok, runAsync } from './helpers/run-async.js';

const { test, docker } = await engineSuite('python-wheels deploy: the token is a file (engine)');

const id = randomBytes(3).toString('hex');
const repo = `cpd-deploy-twine-standin-${id}`;
let work = '';

// twine TEST STAND-IN (create-pio-docker tests): checks what a real `twine upload` needs, uploads nothing.
const TWINE_STANDIN = `#!/usr/bin/python3
"""twine TEST STAND-IN (create-pio-docker tests): checks its input, uploads nothing."""
import hashlib, os, sys, time
args = sys.argv[1:]
if not args or args[0] != "upload":
    sys.exit("twine stand-in: only upload")
wheels = [a for a in args[1:] if not a.startswith("-")]
if not wheels or not all(os.path.isfile(w) and w.endswith(".whl") for w in wheels):
    sys.exit(f"twine stand-in: no wheel to upload: {wheels}")
user, password = os.environ.get("TWINE_USERNAME", ""), os.environ.get("TWINE_PASSWORD", "")
if user != "__token__" or not password:
    sys.exit("twine stand-in: 403 Invalid or non-existent authentication information")
print(f"twine stand-in: would upload {len(wheels)} wheel(s) as {user}, password sha256 {hashlib.sha256(password.encode()).hexdigest()}", flush=True)
time.sleep(4)
`;

// python:3.12-slim stand-in: Debian's python3 as python, pip allowed, and twine "installed" (its
// metadata), so `pip install twine` is satisfied with no index.
const DOCKERFILE = `FROM ${TEST_IMAGES.python}
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && d=$(python3 -c 'import site; print(site.getsitepackages()[0])')/twine-0.0.0.dist-info \\
 && mkdir -p "$d" && printf 'Metadata-Version: 2.1\\nName: twine\\nVersion: 0.0.0\\n' > "$d/METADATA" && touch "$d/RECORD"
COPY --chmod=0755 twine /usr/local/bin/twine
`;

test.before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cpd-deploy-'));
  const ctx = join(work, 'standin');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(ctx, 'twine'), TWINE_STANDIN);
  ok(await runAsync('docker', ['build', '-q', '-t', `${repo}:3.12-slim`, ctx], { env: { DOCKER_BUILDKIT: '1' } }), 'twine stand-in image');
});

test.after(async () => {
  for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ ancestor: [`${repo}:3.12-slim`] }) })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  await runAsync('docker', ['image', 'rm', '-f', `${repo}:3.12-slim`]);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('deploy: twine gets the token, docker inspect of the running container does not show it, the token file is gone after', async () => {
  const dir = join(work, 'fastsum');
  cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'python-wheels'), dir, { recursive: true });
  const r = runCli([dir, '--yes', '--python-versions', '3.11'], dir);
  assert.is(r.code, 0, r.stderr);
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl'), 'not really a wheel');
  const token = `pypi-CPDTEST${randomBytes(12).toString('hex')}`;
  const tmp = join(work, 'tmp');
  mkdirSync(tmp);
  const deploy = runAsync(join(dir, 'scripts', 'local-ci.sh'), ['deploy'], { cwd: dir, env: { PYPI_TOKEN: token, TEST_IMAGE_REPO: repo, DOCKER_NETWORK: 'none', TMPDIR: tmp }, timeoutMs: 120_000 });
  // While twine runs: everything the engine keeps of the container.
  let inspected = '';
  const deadline = Date.now() + 60_000;
  while (!inspected && Date.now() < deadline) {
    const [c] = await docker.listContainers({ filters: JSON.stringify({ ancestor: [`${repo}:3.12-slim`] }) });
    if (c) inspected = JSON.stringify(await docker.getContainer(c.Id).inspect());
    else await new Promise((res) => setTimeout(res, 100));
  }
  const done = await deploy;
  ok(done, 'local-ci.sh deploy');
  assert.ok(inspected, 'the deploy container was seen running');
  assert.ok(!inspected.includes(token) && !inspected.includes('CPDTEST'), 'docker inspect shows the token');
  const seen = JSON.parse(inspected) as { Config: { Env: string[] }; Mounts: { Destination: string; RW: boolean }[] };
  assert.equal(seen.Config.Env.filter((e) => e.startsWith('TWINE_PASSWORD=')), [], 'no TWINE_PASSWORD in the container environment');
  // The token went in as a read-only file.
  const mounts = seen.Mounts;
  assert.ok(mounts.some((m) => m.Destination === '/run/secrets/pypi-token' && m.RW === false), JSON.stringify(mounts));
  // twine got exactly the token.
  const sha = createHash('sha256').update(token).digest('hex');
  assert.match(done.stdout + done.stderr, new RegExp(`would upload 1 wheel\\(s\\) as __token__, password sha256 ${sha}`));
  assert.not.ok((done.stdout + done.stderr).includes(token), 'the token is not printed');
  // The temporary copy is removed.
  assert.equal(readdirSync(tmp), []);
});

test.run();
