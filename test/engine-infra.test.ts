// The engine-test infrastructure itself: the PlatformIO test stand-in wheel, the local PEP 503
// index, pip installing from it on the host and (with an engine) in a container, and the
// stand-in's exec-bit behaviour across containers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { VERSIONS } from '../src/core/versions.js';
import { buildStandinWheel } from './standin/wheel.js';
import { startPipIndex } from './helpers/pip-index.js';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { TWO_ENVS_INI, tempProject, removeProject } from './helpers/cli.js';

const V = VERSIONS.platformio;
const tmp = mkdtempSync(join(tmpdir(), 'cpd-infra-'));
const wheelDir = join(tmp, 'wheels');
const wheel = buildStandinWheel(wheelDir);
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// pip sees only what the test gives it: no user/site config, no PIP_* from the environment.
const pipEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIP_'))),
  PIP_CONFIG_FILE: '/dev/null',
  PIP_NO_CACHE_DIR: '1',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
});

// Async on purpose: the index server answers pip from this same process.
async function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore', cwd: opts.cwd, env: opts.env ?? process.env, extendEnv: false });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

test('stand-in wheel: reproducible, named for the version, RECORD hashes match', async () => {
  assert.is(basename(wheel), `platformio-${V}-py3-none-any.whl`);
  const again = buildStandinWheel(join(tmp, 'again'));
  assert.ok(readFileSync(again).equals(readFileSync(wheel)), 'same sources give the same bytes');
  // Python's zipfile checks the archive; RECORD's sha256 and sizes must match every file.
  const check = await sh('python3', ['-c', `
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")][0]
for line in z.read(info).decode().splitlines():
    path, digest, size = line.rsplit(",", 2)
    if path == info:
        continue
    data = z.read(path)
    want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert digest == want and int(size) == len(data), path
print(z.read(info.replace("RECORD", "METADATA")).decode())
print(z.read(info.replace("RECORD", "entry_points.txt")).decode())
`, buildStandinWheel(join(tmp, 'other'), '9.9.9')]);
  assert.is(check.code, 0, check.stderr);
  assert.match(check.stdout, /^Name: platformio$/m);
  assert.match(check.stdout, /^Version: 9\.9\.9$/m);
  assert.match(check.stdout, /TEST STAND-IN/);
  assert.match(check.stdout, /^pio = platformio\.__main__:main$/m);
  assert.match(check.stdout, /^platformio = platformio\.__main__:main$/m);
});

test('pip index: PEP 503 pages, sha256 links, files, redirects', async () => {
  const index = await startPipIndex(wheelDir);
  try {
    assert.match(index.url, /^http:\/\/127\.0\.0\.1:\d+\/simple\/$/);
    const root = await (await fetch(index.url)).text();
    assert.match(root, /<a href="\/simple\/platformio\/">platformio<\/a>/);
    const project = await (await fetch(new URL('platformio/', index.url))).text();
    const sha = createHash('sha256').update(readFileSync(wheel)).digest('hex');
    const href = project.match(/href="([^"]+)"/)?.[1] ?? '';
    assert.is(href, `/files/${basename(wheel)}#sha256=${sha}`);
    const file = await fetch(new URL(href, index.url));
    assert.is(file.status, 200);
    assert.ok(Buffer.from(await file.arrayBuffer()).equals(readFileSync(wheel)));
    const redirect = await fetch(new URL('PlatformIO', index.url), { redirect: 'manual' });
    assert.is(redirect.status, 301);
    assert.is(redirect.headers.get('location'), '/simple/platformio/');
    assert.is((await fetch(new URL('nothing-here/', index.url))).status, 404);
  } finally {
    await index.close();
  }
});

test('host: pip installs the stand-in from the local index; pio --version, run, clean, prune', async () => {
  const venv = join(tmp, 'venv');
  const made = await sh('python3', ['-m', 'venv', venv]);
  assert.is(made.code, 0, `python3 -m venv: ${made.stderr}`);
  const index = await startPipIndex([wheel]);
  try {
    const pip = await sh(join(venv, 'bin', 'pip'), ['install', '--index-url', index.url, `platformio==${V}`], { env: pipEnv() });
    assert.is(pip.code, 0, pip.stderr);
  } finally {
    await index.close();
  }
  const project = tempProject({ 'platformio.ini': TWO_ENVS_INI, 'src/main.cpp': 'void setup() {}\nvoid loop() {}\n' });
  const core = join(tmp, 'core');
  const env = { ...process.env, PLATFORMIO_CORE_DIR: core };
  const pio = (...args: string[]) => sh(join(venv, 'bin', 'pio'), args, { cwd: project, env });
  const build = (e: string, f = 'firmware.bin') => join(project, '.pio', 'build', e, f);
  try {
    for (const cli of ['pio', 'platformio']) {
      const v = await sh(join(venv, 'bin', cli), ['--version']);
      assert.is(v.stdout.trim(), `PlatformIO Core, version ${V} (test stand-in)`, cli);
    }

    let r = await pio('run', '-e', 'esp32dev');
    assert.is(r.code, 0, r.stderr);
    assert.match(readFileSync(build('esp32dev'), 'utf8'), /^env=esp32dev$/m);
    assert.ok(readFileSync(build('esp32dev', 'firmware.elf')).subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1')));
    assert.not.ok(existsSync(build('uno')), 'only the env asked for');
    const tool = join(core, 'packages', 'toolchain-standin', 'bin', 'standin-gcc');
    assert.is(statSync(tool).mode & 0o777, 0o644, 'toolchain installed without its exec bit');

    r = await pio('run'); // default_envs = uno
    assert.is(r.code, 0, r.stderr);
    assert.ok(existsSync(build('uno')));

    chmodSync(tool, 0o755); // what the entrypoint does: now the tool runs
    r = await pio('run', '-e', 'uno', '-v');
    assert.is(r.code, 0, r.stderr);
    assert.match(readFileSync(build('uno'), 'utf8'), /^toolchain=standin-gcc \(test stand-in\) -o firmware\.elf uno$/m);

    r = await pio('run', '-e', 'nope');
    assert.is(r.code, 1);
    assert.match(r.stderr, /Unknown environment names 'nope'/);

    r = await pio('run', '-t', 'clean', '-e', 'uno');
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(existsSync(join(project, '.pio', 'build', 'uno')));
    assert.ok(existsSync(build('esp32dev')), 'clean -e uno leaves esp32dev');

    assert.is((await pio('system', 'prune', '-f')).code, 0);
  } finally {
    removeProject(project);
  }
});

const engine = await engineSuite('engine-infra: containers');

/** Runs `sh -c script` in the Python test image on the host network; stdout and stderr together. */
async function inContainer(docker: Docker, script: string, volume: string, env: string[] = []) {
  const out = new PassThrough();
  let output = '';
  out.on('data', (chunk) => (output += chunk));
  const [result, container] = await docker.run(TEST_IMAGES.python, ['sh', '-c', script], [out, out], {
    Env: ['PIP_NO_CACHE_DIR=1', 'PIP_DISABLE_PIP_VERSION_CHECK=1', 'PLATFORMIO_CORE_DIR=/vol/core', ...env],
    HostConfig: { NetworkMode: 'host', Binds: [`${volume}:/vol`] },
  });
  await container.remove({ force: true });
  return { code: result.StatusCode as number, output };
}

engine.test('container: pip installs from the host index; a toolchain without exec bit fails in the next container', async () => {
  const { docker } = engine;
  const index = await startPipIndex([wheel]);
  const volume = `cpd-test-infra-${process.pid}-${Date.now()}`;
  await docker.createVolume({ Name: volume, Labels: { 'cpd-test': 'engine-infra' } });
  // The project is made inside each container, so no root-owned files land on the host.
  const project = `mkdir -p /tmp/p/src && cd /tmp/p && printf '%s' "$INI" > platformio.ini`;
  const ini = [`INI=${TWO_ENVS_INI}`];
  try {
    let r = await inContainer(docker, `set -e
python3 -m venv /vol/venv
/vol/venv/bin/pip install -q --index-url ${index.url} platformio==${V}
/vol/venv/bin/pio --version
${project}
/vol/venv/bin/pio run -e uno
/vol/venv/bin/pio run -e esp32dev
stat -c 'mode %a' /vol/core/packages/toolchain-standin/bin/standin-gcc
cat .pio/build/esp32dev/firmware.bin`, volume, ini);
    assert.is(r.code, 0, r.output);
    assert.match(r.output, `PlatformIO Core, version ${V} (test stand-in)`);
    assert.match(r.output, /^mode 644$/m);
    assert.match(r.output, /^toolchain=toolchain installed just now, not run$/m, 'the installing container builds on');

    r = await inContainer(docker, `${project} && /vol/venv/bin/pio run -e uno`, volume, ini);
    assert.is(r.code, 1, r.output);
    assert.match(r.output, /standin-gcc: Permission denied/);

    // Restoring the bit in bin/ alone is not enough: the stand-in also runs a tool at a package root.
    r = await inContainer(docker, `chmod +x /vol/core/packages/toolchain-standin/bin/standin-gcc && ${project} && /vol/venv/bin/pio run -e uno`, volume, ini);
    assert.is(r.code, 1, r.output);
    assert.match(r.output, /standin-tool: Permission denied/);

    r = await inContainer(docker, `chmod -R a+x /vol/core/packages && ${project} && /vol/venv/bin/pio run -e uno && cat .pio/build/uno/firmware.bin`, volume, ini);
    assert.is(r.code, 0, r.output);
    assert.match(r.output, /^toolchain=standin-gcc \(test stand-in\) -o firmware\.elf uno$/m);
  } finally {
    await index.close();
    await docker.getVolume(volume).remove({ force: true }).catch(() => {});
  }
});

test.run();
engine.test.run();
