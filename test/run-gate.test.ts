// test/run.mjs (what `npm test` runs) never passes by skipping engine suites on a machine that has
// an engine: an engine that answers without the test images fails the run (or, as root, is set up);
// suites skipped for want of an engine are named once, in one line. The engine here is a stand-in:
// an HTTP server on a unix socket that answers /_ping and knows no image.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers/cli.js';

const test = suite('test/run.mjs engine gate');
const RUN = join(ROOT, 'test', 'run.mjs');
const isRoot = process.getuid?.() === 0;

test('no engine: the skipped engine suites are named in one line, not one line each', () => {
  const r = spawnSync(process.execPath, [RUN, '^(verify-settings|engine-infra)\\.test\\.ts$'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent', CI: '' } });
  const lines = r.stdout.split('\n').filter((l) => l.includes('engine tests skipped'));
  assert.is(lines.length, 1, r.stdout);
  assert.match(lines[0], /no Docker Engine at unix:\/\/\/nonexistent/);
  assert.match(lines[0], /2 suites: .*verify settings \(engine\)/);
});

test('an engine that answers without the test images: the run fails, naming them and the setup', async () => {
  if (!isRoot) {
    console.log('  (skipped: needs root to run the gate as another uid)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cpd-fake-engine-'));
  chmodSync(dir, 0o755);
  const sock = join(dir, 'docker.sock');
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/_ping')) res.end('OK');
    else {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end('{"message":"No such image"}');
    }
  });
  await new Promise<void>((ok) => server.listen(sock, ok));
  chmodSync(sock, 0o666);
  try {
    // As uid 4242 the gate cannot run setup-engine.sh (it needs root): it must fail, not skip.
    const args = ['--reuid=4242', '--regid=4243', '--clear-groups', process.execPath, RUN, '^verify-settings\\.test\\.ts$'];
    const r = await new Promise<{ code: number | null; out: string }>((ok) => {
      const c = spawn('setpriv', args, { cwd: ROOT, env: { ...process.env, DOCKER_HOST: `unix://${sock}`, HOME: dir } });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (out += d));
      c.on('close', (code) => ok({ code, out }));
    });
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /a Docker Engine answers but the test images cpd-test\/debian:bookworm, cpd-test\/python:bookworm, cpd-test\/golang:bookworm are missing: run `sudo bash test\/engine\/setup-engine.sh`/);
    assert.match(r.out, /0 passed, 1 failed/);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
