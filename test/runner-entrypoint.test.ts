// The self-hosted runner container, for real: the generated runner image (builder + runner) is built
// with scripts/build-docker.sh, the generated compose.runners.yaml runs it, and a strict stand-in of
// the runner tarball (test/standin/actions-runner) records who called config.sh / run.sh with what.
// Proves: the credential is unreadable by the job user (every /proc/*/environ, cmdlines, files,
// docker inspect), registration runs as root before the drop, persistent runners resume and are
// removed with a removal token, ephemeral re-registration needs a fresh credential, and a
// misconfiguration exits with one clear line and a bounded number of restarts.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { defaultAnswers, type Answers } from '../src/core/answers.js';
import { FILES } from '../src/core/paths.js';
import { renderAll } from '../src/pipeline/render.js';
import { VERSIONS } from '../src/core/versions.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { startPipIndex, type PipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const STANDIN = join(HERE, 'standin', 'actions-runner');
const run = randomBytes(3).toString('hex');
const NAME = `cpd-h12r-${run}`;
const ENVS = [{ name: 'uno', board: 'uno', platform: 'atmelavr' }];
const ANSWERS: Answers = { ...defaultAnswers(NAME, ENVS), runners: { kind: 'github', dev: 1, prod: 1, labels: ['hil'] }, image: { name: NAME, registry: '' } };
const file = (a: Answers, path: string) => renderAll(a).find((f) => f.path === path)?.content ?? '';

// --- rendered output (no engine) --------------------------------------------------------------
const unit = suite('runner: generated files');

unit('compose: no credential variable, bounded restarts, per-group caches apart from local builds, secrets read-only', () => {
  const doc = parse(file(ANSWERS, FILES.composeRunners), { merge: true });
  const build = parse(file(ANSWERS, FILES.composeBuild), { merge: true });
  const localCache = Object.keys(build.volumes)[0];
  for (const [name, s] of Object.entries<any>(doc.services)) {
    assert.not.ok('RUNNER_TOKEN' in s.environment, `${name}: no RUNNER_TOKEN`);
    assert.not.ok(JSON.stringify(s.environment).includes('TOKEN'), `${name}: no token variable at all`);
    assert.is(s.restart, 'on-failure:3', `${name}: never restart-loops`);
    const group = name.split('-')[1];
    const cache = s.volumes[0].split(':')[0];
    assert.is(cache, `${NAME}-platformio-ci-${group}`);
    assert.is.not(cache, localCache);
    assert.ok(s.volumes.some((v: string) => v.endsWith(':/run/runner-secrets:ro')), `${name}: secrets mounted read-only`);
    assert.is(s.environment.RUNNER_INSTANCE, `${NAME}-${group}-1`);
  }
  assert.is.not(doc.services['runner-dev-1'].volumes[0], doc.services['runner-prod-1'].volumes[0]);
});

unit('runner image = builder + runner; runner libraries picked per distribution; runner download pinned by checksum', () => {
  const df = file(ANSWERS, FILES.dockerfile);
  assert.match(df, /^FROM builder AS runner$/m);
  assert.not.match(df, /apt-get install [^\n]*(libicu72|libssl3 )/, 'no bookworm-only package names installed');
  assert.match(df, /pick libssl3t64 libssl3/);
  const entry = file(ANSWERS, FILES.runnerEntrypoint);
  assert.ok(entry.includes(`[x64]=${VERSIONS.githubRunnerSha256.x64}`));
  assert.ok(entry.includes(`[arm64]=${VERSIONS.githubRunnerSha256.arm64}`));
  assert.not.match(entry, /--replace/, 'no --replace: a name taken on another host is not stolen');
  assert.match(entry, /--name "\$RUNNER_INSTANCE-\$suffix"/);
});

unit.run();

// --- engine -----------------------------------------------------------------------------------
const { test, docker } = await engineSuite('runner container (engine, stand-in runner tarball)');
const tmp = mkdtempSync(join(tmpdir(), 'cpd-h12r-runner-'));
const projects: string[] = [];
let index: PipIndex | undefined;
let tarball = '';
let tarSha = '';
const proj = join(tmp, 'proj');

const sh = (cmd: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}) =>
  spawnSync(cmd[0], cmd.slice(1), { cwd: opts.cwd ?? proj, env: { ...process.env, ...opts.env }, encoding: 'utf8', input: opts.input, timeout: 900_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, fn: () => T | undefined | false, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
    const v = fn();
    if (v) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One compose project of the generated runners file, with its own logs, secrets and stand-in mounts. */
function scenario(tag: string, env: Record<string, string> = {}) {
  const p = `${NAME}-${tag}`;
  projects.push(p);
  const dir = mkdtempSync(join(tmp, `${tag}-`));
  const log = join(dir, 'log');
  const secrets = join(dir, 'secrets');
  mkdirSync(join(log, 'root'), { recursive: true, mode: 0o700 });
  mkdirSync(join(log, 'user'), { mode: 0o700 });
  chownSync(join(log, 'user'), 1000, 1000);
  chmodSync(log, 0o755);
  mkdirSync(secrets, { mode: 0o700 });
  const override = join(dir, 'compose.test.yaml');
  const extra = { volumes: [`${dirname(tarball)}:/standin:ro`, `${log}:/standin-log`], environment: { RUNNER_TARBALL: '/standin/runner.tar.gz', RUNNER_SHA256: tarSha } };
  writeFileSync(override, JSON.stringify({ services: { 'runner-dev-1': extra, 'runner-prod-1': extra } }));
  const compose = (...args: string[]) =>
    sh(['docker', 'compose', '-p', p, '-f', FILES.composeRunners, '-f', override, '--profile', 'dev', '--profile', 'prod', ...args], { env: { RUNNER_SECRETS: secrets, ...env } });
  const secret = (name: string, text: string, mode = 0o600) => writeFileSync(join(secrets, name), text, { mode });
  const calls = (who: 'root' | 'user') => {
    const f = join(log, who, 'calls.jsonl');
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
  };
  const container = (service: string) => `${p}-${service}-1`;
  const inspect = (service: string) => docker.getContainer(container(service)).inspect();
  return { p, dir, log, secrets, compose, secret, calls, container, inspect };
}

const JOB = (needle: string) => `needle='${needle}'
echo "uid=$(id -u)"
echo "pio-build=$(command -v pio-build)"
n=0
for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do
  text=$(tr '\\0' ' ' <"$f" 2>/dev/null) || continue
  n=$((n + 1))
  if [[ $text == *"$needle"* ]]; then echo "LEAK $f"; fi
done
echo "read=$n"
if tr '\\0' ' ' </proc/1/environ >/dev/null 2>&1; then echo proc1=readable; else echo proc1=denied; fi
grep -rlsF -e "$needle" /run /opt /var /home /tmp /etc /root /workspace 2>/dev/null | sed 's/^/LEAK file /'
echo done
`;

test.before(async () => {
  mkdirSync(proj);
  for (const f of renderAll(ANSWERS)) {
    mkdirSync(dirname(join(proj, f.path)), { recursive: true });
    writeFileSync(join(proj, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  writeFileSync(join(proj, 'platformio.ini'), '[env:uno]\nplatform = atmelavr\nboard = uno\n');
  // the stand-in runner tarball and its checksum
  const tarDir = join(tmp, 'tar');
  mkdirSync(tarDir);
  tarball = join(tarDir, 'runner.tar.gz');
  assert.is(sh(['tar', '-czf', tarball, '--owner=1000', '--group=1000', '-C', STANDIN, 'config.sh', 'run.sh', 'run-helper.sh.template', 'record.sh']).status, 0);
  tarSha = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const wheels = join(tmp, 'wheels');
  mkdirSync(wheels);
  buildStandinWheel(wheels);
  index = await startPipIndex(wheels);
  const r = sh(['bash', FILES.buildScript, '--target', 'runner', '--base-image', TEST_IMAGES.python, '--network', 'host', '--build-arg', `PIP_INDEX_URL=${index.url}`]);
  assert.is(r.status, 0, `runner image build failed:\n${r.stderr.slice(-3000)}`);
});

test.after(async () => {
  for (const p of projects) sh(['docker', 'compose', '-p', p, '-f', FILES.composeRunners, '--profile', 'dev', '--profile', 'prod', 'down', '-v', '--remove-orphans', '-t', '1'], { env: { RUNNER_SECRETS: tmp } });
  sh(['docker', 'image', 'rm', '-f', `${NAME}:runner`]);
  await index?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('registration as root before the drop; the token reaches no job: /proc/*/environ, cmdlines, files, docker inspect', async () => {
  const s = scenario('tok', { RUNNER_URL: 'https://github.com/acme/fw' });
  const token = `tok-${randomBytes(12).toString('hex')}`;
  s.secret('token', token);
  writeFileSync(join(s.log, 'job.sh'), JOB(token));
  let r = s.compose('up', '-d', 'runner-dev-1');
  assert.is(r.status, 0, r.stderr);
  const out = await until('the job', () => existsSync(join(s.log, 'user', 'job.out')) && readFileSync(join(s.log, 'user', 'job.out'), 'utf8').includes('done') && readFileSync(join(s.log, 'user', 'job.out'), 'utf8'));
  assert.not.match(out, /LEAK/, out);
  assert.match(out, /^uid=1000$/m);
  assert.match(out, /^pio-build=\/usr\/local\/bin\/pio-build$/m, 'pio-build on PATH for jobs');
  assert.match(out, /^proc1=denied$/m);
  assert.ok(Number(/^read=(\d+)$/m.exec(out)![1]) >= 4, 'the job read its own processes\' environ and cmdline');
  const [config, ...more] = s.calls('root');
  assert.is(more.length, 0);
  assert.is(config.uid, 0, 'config.sh ran as root');
  assert.is(config.env.ACTIONS_RUNNER_INPUT_TOKEN, token, 'the token only in root\'s config.sh environment');
  assert.not.ok(config.args.includes(token), 'never on a command line');
  assert.ok(config.args.includes('--disableupdate'));
  assert.equal(config.args.slice(config.args.indexOf('--labels'), config.args.indexOf('--labels') + 2), ['--labels', `platformio,${NAME},dev,hil`]);
  assert.match(config.args[config.args.indexOf('--name') + 1], new RegExp(`^${NAME}-dev-1-[0-9a-f]{8}$`));
  const runs = s.calls('user');
  assert.is(runs[0].uid, 1000);
  assert.ok(config.t < runs[0].t, 'registered before the runner started');
  assert.not.ok(JSON.stringify(runs).includes(token), 'run.sh environment holds no token');
  // as the job user from outside: docker exec
  r = sh(['docker', 'exec', '-u', '1000:1000', s.container('runner-dev-1'), 'bash', '-c', `cat /run/runner-secrets/token; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' <"$f"; done 2>/dev/null`]);
  assert.not.ok(r.stdout.includes(token), 'docker exec as the job user');
  assert.match(r.stderr, /Permission denied/);
  const info = await s.inspect('runner-dev-1');
  assert.not.ok(JSON.stringify(info).includes(token), 'docker inspect');
  assert.not.ok((info.Config.Env ?? []).some((e: string) => e.startsWith('RUNNER_TOKEN')));

  // A job swaps a registration file it owns for a link to a file of root's: the next start's root
  // phase must not chmod (or read) through it.
  r = sh(['docker', 'exec', '-u', '1000:1000', s.container('runner-dev-1'), 'bash', '-c', 'cd /opt/actions-runner && rm -f .credentials_rsaparams && ln -s /usr/local/bin/docker-entrypoint .credentials_rsaparams']);
  assert.is(r.status, 0, r.stderr);

  // stop: prompt, nothing to unregister with a stale token; start: the kept registration, no token
  const t0 = Date.now();
  r = s.compose('stop', '-t', '10', 'runner-dev-1');
  assert.is(r.status, 0, r.stderr);
  assert.ok(Date.now() - t0 < 8000, 'stops promptly');
  rmSync(join(s.secrets, 'token'));
  r = s.compose('start', 'runner-dev-1');
  await until('the second start', () => s.calls('user').filter((c) => c.what === 'run').length >= 2);
  assert.is(s.calls('root').length, 1, 'no second registration');
  // read from the container's files (it may have exited after the stand-in's run): docker cp's tar
  const listed = (path: string) => spawnSync('bash', ['-c', `docker cp ${s.container('runner-dev-1')}:${path} - | tar -tvf -`], { encoding: 'utf8' });
  r = listed('/usr/local/bin/docker-entrypoint');
  assert.match(r.stdout, /^-rwxr-xr-x /, `root followed no planted link: ${r.stdout}${r.stderr}`);
  r = listed('/opt/actions-runner/.credentials_rsaparams');
  assert.not.match(r.stdout, /^l/, `the planted link was removed: ${r.stdout}`);
  s.compose('stop', '-t', '10', 'runner-dev-1');
  // removal: a removal token, used by root
  const removal = `rm-${randomBytes(8).toString('hex')}`;
  s.secret('remove-token', removal);
  r = s.compose('run', '--rm', '--no-deps', 'runner-dev-1', 'runner-entrypoint', 'remove');
  assert.is(r.status, 0, r.stderr);
  const remove = s.calls('root').at(-1);
  assert.equal(remove.args, ['remove', '--unattended']);
  assert.is(remove.uid, 0);
  assert.is(remove.env.ACTIONS_RUNNER_INPUT_TOKEN, removal);
  assert.match(r.stdout + r.stderr, /runner: unregistered/);
});

test('ephemeral: a restart with the same token or JIT config is refused; a fresh one registers', async () => {
  const s = scenario('eph', { RUNNER_URL: 'https://github.com/acme/fw', RUNNER_EPHEMERAL: '1' });
  s.secret('token', 'tok-first');
  let r = s.compose('up', '-d', 'runner-prod-1');
  assert.is(r.status, 0, r.stderr);
  const exited = async (n: number) =>
    until(`exit ${n}`, () => {
      const c = sh(['docker', 'inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}', s.container('runner-prod-1')]).stdout.trim().split(' ');
      return c[0] === 'exited' && c;
    });
  let [, code, restarts] = await exited(1);
  assert.is(code, '0', 'one job, then exit 0');
  assert.is(restarts, '0', 'exit 0 is not restarted');
  const start = () => sh(['docker', 'start', s.container('runner-prod-1')]);
  start();
  [, code] = await exited(2);
  assert.is(code, '2');
  assert.match(sh(['docker', 'logs', s.container('runner-prod-1')]).stderr, /runner: error: the registration token in \S+ was already used by this container/);
  s.secret('token', 'tok-second');
  start();
  await until('second registration', () => s.calls('root').length === 2);
  [, code] = await exited(3);
  assert.equal(s.calls('root').map((c) => [c.env.ACTIONS_RUNNER_INPUT_TOKEN, c.args.includes('--ephemeral')]), [['tok-first', true], ['tok-second', true]]);
  // JIT config: preferred over the token; config.sh is not run, the registration files are written
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const jit = b64(JSON.stringify({ '.runner': b64('{"agentName":"jit-1","ephemeral":true}'), '.credentials': b64('{"scheme":"OAuth"}'), '.credentials_rsaparams': b64('{"d":"k"}') }));
  s.secret(`${NAME}-prod-1.jitconfig`, jit);
  const runsBefore = s.calls('user').length;
  start();
  await until('JIT run', () => s.calls('user').length > runsBefore);
  [, code] = await exited(4);
  assert.is(code, '0');
  assert.is(s.calls('root').length, 2, 'no config.sh with a JIT config');
  start();
  [, code] = await exited(5);
  assert.is(code, '2');
  assert.match(sh(['docker', 'logs', s.container('runner-prod-1')]).stderr, /the JIT config was already used by this container/);
});

test('misconfiguration: one clear line per start, exit 2, at most 3 restarts, then stopped', async () => {
  const s = scenario('bad');
  const r = s.compose('up', '-d', 'runner-dev-1');
  assert.is(r.status, 0, r.stderr);
  await until('stopped for good', () => {
    const c = sh(['docker', 'inspect', '-f', '{{.State.Status}} {{.RestartCount}}', s.container('runner-dev-1')]).stdout.trim();
    return c === 'exited 3';
  }, 30_000);
  await sleep(2000);
  const info = await s.inspect('runner-dev-1');
  assert.is(info.State.Status, 'exited');
  assert.is(info.RestartCount, 3, 'no restart loop');
  assert.is(info.State.ExitCode, 2);
  const lines = sh(['docker', 'logs', s.container('runner-dev-1')]).stderr.trim().split('\n');
  assert.is(lines.length, 4, lines.join('\n'));
  for (const l of lines) assert.match(l, /^runner: error: RUNNER_URL is not set: set it to https:\/\/github\.com\/OWNER\/REPO/);
  // the other refusals, one line each
  const image = `${NAME}:runner`;
  const once = (args: string[]) => sh(['docker', 'run', '--rm', '-v', `${s.secrets}:/run/runner-secrets:ro`, ...args, image]);
  let x = once(['-e', 'RUNNER_URL=https://github.com/acme/fw', '-e', 'RUNNER_TOKEN=tok-env']);
  assert.is(x.status, 2);
  assert.match(x.stderr, /^runner: error: RUNNER_TOKEN is set in the container's environment/m);
  s.secret('token', 'tok-open', 0o644);
  x = once(['-e', 'RUNNER_URL=https://github.com/acme/fw']);
  assert.is(x.status, 2);
  assert.match(x.stderr, /can be read by others \(owner uid 0, mode 644\), jobs included/);
  chmodSync(join(s.secrets, 'token'), 0o600);
  x = once(['-e', 'RUNNER_URL=https://github.com/acme/fw', '-v', `${dirname(tarball)}:/standin:ro`, '-e', 'RUNNER_TARBALL=/standin/runner.tar.gz', '-e', `RUNNER_SHA256=${'0'.repeat(64)}`]);
  assert.is(x.status, 1);
  assert.match(x.stderr, /does not have the checksum 0{64}/);
});

test.run();
