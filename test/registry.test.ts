// scripts/build-docker.sh against a real registry on 127.0.0.1 (Debian's docker-registry, storage in
// a temp folder): --push, --cache-registry/--push-cache (inline cache with the docker driver), OCI
// labels, and a pull of what was pushed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as assert from 'uvu/assert';
import { defaultAnswers } from '../src/core/answers.js';
import { FILES } from '../src/core/paths.js';
import { renderAll } from '../src/pipeline/render.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const { test } = await engineSuite('registry round trip (engine, docker-registry on 127.0.0.1)');
const run = randomBytes(3).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'cpd-h12r-registry-'));
const proj = join(tmp, 'proj');
let registry: ChildProcess | undefined;
let index: PipIndex | undefined;
let host = '';
const sh = (cmd: string[], env: Record<string, string> = {}) => spawnSync(cmd[0], cmd.slice(1), { cwd: proj, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 900_000 });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test.before(async () => {
  if (spawnSync('sh', ['-c', 'command -v docker-registry']).status !== 0) throw new Error('docker-registry is not installed (bash test/engine/setup-engine.sh)');
  const port = await freePort();
  host = `127.0.0.1:${port}`;
  const config = join(tmp, 'registry.yml');
  writeFileSync(config, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(tmp, 'storage')}\nhttp:\n  addr: ${host}\n`);
  registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if ((await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0)) === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  mkdirSync(proj);
  const a = { ...defaultAnswers(`cpd-h12r-reg-${run}`, [{ name: 'uno', board: 'uno', platform: 'atmelavr' }]), image: { name: `cpd-h12r-reg-${run}`, registry: host }, runners: { kind: 'none' as const, dev: 0, prod: 0, labels: [] } };
  for (const f of renderAll(a)) {
    mkdirSync(dirname(join(proj, f.path)), { recursive: true });
    writeFileSync(join(proj, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  // a checkout: the OCI labels come from git (origin with credentials, which must not end up in a label)
  for (const cmd of [['git', 'init', '-q'], ['git', 'remote', 'add', 'origin', 'https://user:secret@github.com/acme/fw.git'], ['git', 'add', '-A'], ['git', '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x'], ['git', 'tag', 'v1.2.3']]) assert.is(sh(cmd).status, 0, cmd.join(' '));
  const wheels = join(tmp, 'wheels');
  mkdirSync(wheels);
  buildStandinWheel(wheels);
  index = await startPipIndex(wheels);
});

test.after(async () => {
  sh(['docker', 'image', 'rm', '-f', `${host}/cpd-h12r-reg-${run}:builder`, `${host}/cpd-h12r-reg-${run}:cache`]);
  registry?.kill();
  await index?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('--push and --push-cache to a registry on 127.0.0.1, pull back, labels; a second build takes the cache (CACHED)', () => {
  const image = `${host}/cpd-h12r-reg-${run}:builder`;
  const cache = `${host}/cpd-h12r-reg-${run}:cache`;
  const build = () =>
    sh(['bash', FILES.buildScript, '--arch', 'linux/amd64', '--push', '--cache-registry', cache, '--push-cache', '--base-image', TEST_IMAGES.python, '--network', 'host', '--build-arg', `PIP_INDEX_URL=${index!.url}`], { BUILDKIT_PROGRESS: 'plain' });
  let r = build();
  assert.is(r.status, 0, r.stderr.slice(-3000));
  // what the registry holds
  for (const tag of ['builder', 'cache']) assert.is(sh(['curl', '-fsS', '-o', '/dev/null', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `http://${host}/v2/cpd-h12r-reg-${run}/manifests/${tag}`]).status, 0, tag);
  sh(['docker', 'image', 'rm', '-f', image, cache]);
  r = sh(['docker', 'pull', image]);
  assert.is(r.status, 0, r.stderr);
  const labels = JSON.parse(sh(['docker', 'image', 'inspect', '-f', '{{json .Config.Labels}}', image]).stdout);
  assert.is(labels['org.opencontainers.image.source'], 'https://github.com/acme/fw');
  assert.match(labels['org.opencontainers.image.revision'], /^[0-9a-f]{40}$/);
  assert.is(labels['org.opencontainers.image.version'], 'v1.2.3');
  assert.is(sh(['docker', 'run', '--rm', image, 'pio', '--version']).status, 0, 'the pulled image runs');
  // the cache image's config (in the registry) carries BuildKit's inline cache metadata
  const get = (path: string, accept = '') => sh(['curl', '-fsS', ...(accept ? ['-H', `Accept: ${accept}`] : []), `http://${host}/v2/cpd-h12r-reg-${run}/${path}`]).stdout;
  const manifest = JSON.parse(get('manifests/cache', 'application/vnd.docker.distribution.manifest.v2+json'));
  assert.match(get(`blobs/${manifest.config.digest}`), /moby\.buildkit\.cache\.v0/);
  sh(['docker', 'image', 'rm', '-f', image, cache]);
  r = build();
  assert.is(r.status, 0, r.stderr.slice(-3000));
  assert.match(r.stderr, /importing cache manifest from .*:cache/);
  const cached = r.stderr.split('\n').filter((l) => /^#\d+ CACHED$/.test(l)).length;
  assert.ok(cached >= 5, `steps CACHED: ${cached}\n${r.stderr.slice(-2000)}`);
  // a multi-platform build without --push is refused before any build, in one line
  r = sh(['bash', FILES.buildScript, '--platform', 'linux/amd64,linux/arm64']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /several platforms \(linux\/amd64,linux\/arm64\) need --push/);
});

test.run();
