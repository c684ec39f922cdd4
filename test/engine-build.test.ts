// buildImage and connect against the real Docker Engine (BuildKit through `POST /build?version=2`),
// plus the build context's .dockerignore handling. Images are tagged cpd-test-build/... and removed.
// Steps whose output is asserted carry the run id: BuildKit merges identical steps of concurrent
// builds, and only one of them then gets the log.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildImage, BuildError, contextEntries, DockerIgnore, type BuildEvent, type BuildOptions } from '../src/engine/build.js';
import { connect, EngineUnavailableError } from '../src/engine/connect.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';

const run = randomBytes(3).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'cpd-engine-build-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** A build context directory from a map of relative paths to contents. */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'ctx-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

// --- no engine needed ------------------------------------------------------------------------

const unit = suite('build context and connect');

unit('DockerIgnore: Docker pattern semantics', () => {
  const ig = new DockerIgnore(['# comment', '.git/', '**/*.pyc', '*.md', '!README.md', 'build', '/dist/', 'docs/**/*.tmp', 'a?c'].join('\n'));
  const cases: [string, boolean][] = [
    ['.git', true],
    ['.git/config', true],
    ['src/.git', false], // patterns are anchored at the context root
    ['x.pyc', true],
    ['src/deep/x.pyc', true],
    ['notes.md', true],
    ['README.md', false],
    ['src/notes.md', false], // `*` does not cross `/`
    ['build/out/firmware.bin', true], // a matched directory takes its contents
    ['dist', true],
    ['docs/a/b/c.tmp', true],
    ['docs/c.tmp', true], // `**/` matches zero directories too
    ['abc', true],
    ['abbc', false],
    ['src/main.cpp', false],
  ];
  for (const [path, ignored] of cases) assert.is(ig.ignores(path), ignored, path);
  // Last match wins: an exception before the pattern it excepts does nothing.
  assert.is(new DockerIgnore('!keep.txt\n*.txt').ignores('keep.txt'), true);
  assert.is(new DockerIgnore('*\n!src\nsrc/*.o').ignores('src/a.o'), true);
  assert.is(new DockerIgnore('*\n!src\nsrc/*.o').ignores('src/a.c'), false);
});

unit('contextEntries: honours .dockerignore, keeps Dockerfile and .dockerignore, walks into re-included dirs', () => {
  const dir = context({
    Dockerfile: 'FROM scratch\n',
    '.dockerignore': '.git/\n**/__pycache__/\n*.log\n.pio\n!.pio/keep.txt\nDockerfile\n.dockerignore\n',
    '.git/HEAD': 'ref\n',
    'src/main.cpp': 'int main() {}\n',
    'src/__pycache__/x.pyc': '',
    'tools/__pycache__/y.pyc': '',
    'build.log': '',
    '.pio/build/firmware.bin': '',
    '.pio/keep.txt': 'kept\n',
  });
  symlinkSync('src/main.cpp', join(dir, 'link'));
  assert.equal(contextEntries(dir), ['.dockerignore', '.pio/keep.txt', 'Dockerfile', 'link', 'src', 'src/main.cpp', 'tools']);
});

unit('connect: DOCKER_HOST=unix:///nonexistent fails fast with one actionable message', async () => {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = 'unix:///nonexistent';
  const t0 = Date.now();
  try {
    await connect();
    assert.unreachable('connect() should throw');
  } catch (e) {
    assert.instance(e, EngineUnavailableError);
    const msg = (e as Error).message;
    assert.match(msg, 'DOCKER_HOST=unix:///nonexistent');
    assert.match(msg, 'sudo systemctl start docker');
    assert.match(msg, 'set DOCKER_HOST');
    assert.not.match(msg, '\n');
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});

unit('connect: an engine that never answers times out', async () => {
  const sock = join(tmp, 'silent.sock');
  const server = createServer(() => {}).listen(sock);
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${sock}`;
  try {
    await connect(300);
    assert.unreachable('connect() should throw');
  } catch (e) {
    assert.instance(e, EngineUnavailableError);
    assert.match((e as Error).message, 'no answer within 300 ms');
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    server.close();
  }
});

unit.run();

// --- with the engine -----------------------------------------------------------------------------

const { test, docker } = await engineSuite('buildImage on the engine');
const FROM = `FROM ${TEST_IMAGES.debian}`;

async function build(dir: string, name: string, extra: Partial<BuildOptions> = {}) {
  const events: BuildEvent[] = [];
  const tag = `cpd-test-build/${name}:${run}`;
  const result = await buildImage({ docker, contextDir: dir, tag, buildargs: {}, networkmode: 'default', labels: { 'cpd-test-build': run }, nocache: false, timeoutMs: 120_000, onEvent: (e) => events.push(e), ...extra });
  return { ...result, tag, events };
}
const logLines = (events: BuildEvent[], step: string) => events.flatMap((e) => (e.type === 'log' && e.name.includes(step) ? [e.line] : []));

async function expectBuildError(p: Promise<unknown>): Promise<BuildError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, BuildError);
    return e as BuildError;
  }
  throw new assert.Assertion({ message: 'expected a BuildError', generated: false, operator: 'throws', expects: 'BuildError', actual: 'success' });
}

test.after(async () => {
  const images = await docker.listImages({ filters: { label: [`cpd-test-build=${run}`] } });
  for (const i of images) await docker.getImage(i.Id).remove({ force: true }).catch(() => {});
});

test('success: image id, tag, labels, steps and events; only the target stage is built', async () => {
  const dir = context({
    Dockerfile: `${FROM} AS base\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt && echo built-${run}\n\nFROM base AS other\nRUN echo other stage\n`,
    'hello.txt': 'hello from the context\n',
  });
  const r = await build(dir, 'ok', { target: 'base', labels: { 'cpd-test-build': run, 'org.example.purpose': 'engine test' } });
  assert.match(r.imageId, /^sha256:[0-9a-f]{64}$/);
  const img = await docker.getImage(r.tag).inspect();
  assert.is(img.Id, r.imageId);
  assert.equal(img.Config.Labels, { 'cpd-test-build': run, 'org.example.purpose': 'engine test' });
  const names = r.steps.map((s) => s.name);
  assert.ok(names.includes('[base 2/3] COPY hello.txt /hello.txt'), names.join('\n'));
  assert.ok(names.some((n) => n.startsWith('[base 3/3] RUN cat /hello.txt')));
  assert.not.ok(names.some((n) => n.includes('other stage')), 'stage "other" is not built');
  assert.ok(r.steps.every((s) => s.durationMs >= 0 && s.error === undefined));
  assert.equal(logLines(r.events, 'RUN cat /hello.txt'), ['hello from the context', `built-${run}`]);
  for (const n of names) assert.ok(r.events.some((e) => e.type === 'step-done' && e.name === n), `step-done for ${n}`);
  assert.ok(r.durationMs > 0);
});

test('a second identical build shows CACHED steps and the same image', async () => {
  const dir = context({ Dockerfile: `${FROM}\nRUN echo cache-me-${run}\nRUN echo second-${run}\n` });
  const first = await build(dir, 'cache', { nocache: true });
  assert.ok(first.steps.filter((s) => s.name.includes(' RUN ')).every((s) => !s.cached));
  const second = await build(dir, 'cache');
  const runs = second.steps.filter((s) => s.name.includes(' RUN '));
  assert.is(runs.length, 2);
  assert.ok(runs.every((s) => s.cached), JSON.stringify(runs));
  assert.is(second.imageId, first.imageId);
  assert.equal(logLines(second.events, 'RUN echo'), [], 'cached steps do not run');
});

test('a failing step throws BuildError naming the step, with its log tail', async () => {
  const dir = context({ Dockerfile: `${FROM}\nRUN echo ok\nRUN seq -f 'out %g' 20; sleep 0.3; echo 'to stderr' >&2; exit 3 # ${run}\nRUN echo never\n` });
  const e = await expectBuildError(build(dir, 'fail'));
  assert.is(e.step, `[3/4] RUN seq -f 'out %g' 20; sleep 0.3; echo 'to stderr' >&2; exit 3 # ${run}`);
  assert.match(e.message, /exit code: 3/);
  assert.is(e.logTail.length, 15);
  // stdout and stderr in arrival order (the sleep orders them).
  assert.equal(e.logTail, [...Array.from({ length: 14 }, (_, i) => `out ${i + 7}`), 'to stderr']);
  assert.equal(await docker.listImages({ filters: { reference: [`cpd-test-build/fail:${run}`] } }), []);
});

test('an unknown target fails with the engine message and no step', async () => {
  const e = await expectBuildError(build(context({ Dockerfile: `${FROM} AS a\nRUN true\n` }), 'target', { target: 'nope' }));
  assert.match(e.message, 'target stage nope could not be found');
  assert.equal([e.step, e.logTail], [undefined, []]);
});

test('cache mount: a file written in build 1 is visible in build 2 when a later step changes', async () => {
  const token = randomBytes(8).toString('hex');
  const mount = 'RUN --mount=type=cache,id=cpd-test-build,target=/root/.cache';
  const dockerfile = (later: string) => `${FROM}\n${mount} echo ${token} > /root/.cache/token-${token}\n${mount} cat /root/.cache/token-${token}; echo ${later}\n`;
  const first = await build(context({ Dockerfile: dockerfile('later-1') }), 'mount');
  assert.equal(logLines(first.events, 'echo later-1'), [token, 'later-1']);
  // Build 2 also removes the file, so the shared cache does not grow run after run.
  const second = await build(context({ Dockerfile: dockerfile(`later-2; rm /root/.cache/token-${token}`) }), 'mount');
  const writer = second.steps.find((s) => s.name.includes(`> /root/.cache/token-${token}`))!;
  assert.is(writer.cached, true, 'the writing step does not run again');
  assert.equal(logLines(second.events, 'echo later-2'), [token, 'later-2']);
});

test('the context honours .dockerignore', async () => {
  const dir = context({
    Dockerfile: `${FROM}\nCOPY . /ctx\nRUN cd /ctx && find . -type f | sort # ${run}\n`,
    '.dockerignore': '.git/\n**/*.pyc\n.pio/\n!.pio/keep.txt\n',
    '.git/HEAD': 'ref\n',
    'src/main.cpp': '\n',
    'src/x.pyc': '',
    '.pio/build/fw.bin': '',
    '.pio/keep.txt': '',
  });
  const r = await build(dir, 'ignore', { nocache: true });
  assert.equal(logLines(r.events, 'find . -type f'), ['./.dockerignore', './.pio/keep.txt', './Dockerfile', './src/main.cpp']);
});

test('networkmode host lets RUN reach a server on 127.0.0.1', async () => {
  const server: Server = createHttpServer((_, res) => res.end(`hello-${run}\n`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const get = `RUN bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && tail -n 1 <&3'`;
    const r = await build(context({ Dockerfile: `${FROM}\n${get}\n` }), 'net', { networkmode: 'host', nocache: true });
    assert.equal(logLines(r.events, '/dev/tcp/'), [`hello-${run}`]);
    const e = await expectBuildError(build(context({ Dockerfile: `${FROM}\n${get}\n` }), 'net', { networkmode: 'default', nocache: true }));
    assert.match(e.logTail.join('\n'), /Connection refused/);
  } finally {
    server.close();
  }
});

test('timeoutMs aborts the build with a BuildError naming the running step', async () => {
  const t0 = Date.now();
  const e = await expectBuildError(build(context({ Dockerfile: `${FROM}\nRUN echo started-${run}; sleep 60\n` }), 'timeout', { timeoutMs: 2500, nocache: true }));
  assert.match(e.message, 'timed out after 3 s');
  assert.match(e.step ?? '', /^\[2\/2\] RUN echo started-/);
  assert.equal(e.logTail, [`started-${run}`]);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
});

test('the /build request carries Connection: close', async () => {
  // A recording proxy on a unix socket in front of the engine's socket.
  const modem = docker.modem as unknown as { getSocketPath(): Promise<string | undefined>; host?: string; port?: string };
  const socketPath = await modem.getSocketPath();
  const upstreamAddress = socketPath ? { path: socketPath } : { host: modem.host!, port: Number(modem.port) };
  const proxySocket = join(tmp, 'proxy.sock');
  const heads: string[] = [];
  const proxy = createServer((client) => {
    const upstream = netConnect(upstreamAddress);
    let head = '';
    client.on('data', (chunk: Buffer) => {
      if (!head.includes('\r\n\r\n')) {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) heads.push(head.slice(0, head.indexOf('\r\n\r\n')));
      }
    });
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(proxySocket, resolve));
  try {
    const viaProxy = new Docker({ socketPath: proxySocket });
    const r = await buildImage({ docker: viaProxy, contextDir: context({ Dockerfile: `${FROM}\nRUN echo via-proxy\n` }), tag: `cpd-test-build/proxy:${run}`, buildargs: {}, networkmode: 'default', labels: { 'cpd-test-build': run }, nocache: false, timeoutMs: 60_000 });
    assert.match(r.imageId, /^sha256:/);
    const build = heads.filter((h) => h.startsWith('POST /build?'));
    assert.is(build.length, 1, heads.join('\n---\n'));
    assert.match(build[0], /\r\nConnection: close\r\n/i);
    assert.match(build[0], /[?&]version=2(&|\s)/);
  } finally {
    proxy.close();
  }
});

test.run();
