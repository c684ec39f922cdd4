// The PlatformIO TEST STAND-IN (test/standin) must fail wherever real PlatformIO would: these run
// it on the host with python3 (no engine): native envs compiled by the host compiler, a missing
// compiler, `#error`, `pio test` on native and embedded envs, SIGTERM mid-build, exec bits in the
// cached packages, and the wheel installed by pip from the local index at the pinned version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { VERSIONS } from '../src/core/versions.js';
import { removeProject, tempProject } from './helpers/cli.js';
import { startPipIndex } from './helpers/pip-index.js';
import { buildStandinWheel } from './standin/wheel.js';

const STANDIN = join(dirname(fileURLToPath(import.meta.url)), 'standin');
const tmp = mkdtempSync(join(tmpdir(), 'cpd-standin-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const INI = `[platformio]
default_envs = native

[env]
build_flags = -DANSWER=42

[common]
platform = native

[env:native]
extends = common

[env:native_src]
extends = env:native
test_build_src = yes

[env:uno]
platform = atmelavr
board = uno
framework = arduino
`;
const MAIN = '#include <stdio.h>\nint add(int a, int b) { return a + b; }\n#ifndef PIO_UNIT_TESTING\nint main() { printf("answer %d\\n", ANSWER); return 0; }\n#endif\n';
const testFile = (want: number) =>
  `#include <unity.h>\nint add(int, int);\nvoid test_add(void) { TEST_ASSERT_EQUAL(${want}, add(1, 2)); }\nint main() { UNITY_BEGIN(); RUN_TEST(test_add); return UNITY_END(); }\n`;

/** Env for the stand-in from its sources: no CC/CXX/PIO_* from the caller, a fresh core dir. */
function pioEnv(core: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['CC', 'CXX', 'PYTHONPATH'].includes(k) && !k.startsWith('PIO_')));
  return { ...env, PYTHONPATH: STANDIN, PLATFORMIO_CORE_DIR: core, ...extra };
}

function project(files: Record<string, string> = {}) {
  const dir = tempProject({ 'platformio.ini': INI, 'src/main.cpp': MAIN, ...files });
  const core = join(dirname(dir), 'core');
  const pio = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync('python3', ['-m', 'platformio', ...args], { cwd: dir, encoding: 'utf8', env: pioEnv(core, extra), timeout: 60_000 });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  };
  return { dir, core, pio };
}

test('native env: compiled by the host g++ into .pio/build/ENV/program (no firmware.bin); extends and [env] apply', () => {
  const p = project();
  try {
    const r = p.pio(['run']); // default_envs = native
    assert.is(r.code, 0, r.out);
    const program = join(p.dir, '.pio/build/native/program');
    assert.ok(existsSync(program), r.out);
    assert.not.ok(existsSync(join(p.dir, '.pio/build/native/firmware.bin')), 'native envs make no firmware.bin');
    const ran = spawnSync(program, { encoding: 'utf8' });
    assert.is(ran.stdout, 'answer 42\n', 'build_flags from [env] reach the compiler');
    const size = p.pio(['run', '-e', 'native', '-t', 'size']);
    assert.match(size.out, /^program: \d+ bytes$/m);
  } finally {
    removeProject(p.dir);
  }
});

test('native env without a C++ compiler on PATH (and CXX naming a missing one): "not found", exit 1, no program', () => {
  const p = project();
  try {
    // A PATH with only python3 and sh.
    const bin = join(tmp, 'bare-bin');
    mkdirSync(bin, { recursive: true });
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    if (!existsSync(join(bin, 'python3'))) symlinkSync(python, join(bin, 'python3'));
    if (!existsSync(join(bin, 'sh'))) symlinkSync('/bin/sh', join(bin, 'sh'));
    const r = spawnSync(join(bin, 'python3'), ['-m', 'platformio', 'run', '-e', 'native'], { cwd: p.dir, encoding: 'utf8', env: pioEnv(p.core, { PATH: bin }) });
    const out = `${r.stdout}${r.stderr}`;
    assert.is(r.status, 1, out);
    assert.match(out, /sh: 1: g\+\+: not found/);
    assert.match(out, /\[FAILED\]/);
    assert.not.ok(existsSync(join(p.dir, '.pio/build/native/program')));

    const cxx = p.pio(['run', '-e', 'native'], { CXX: 'no-such-g++' });
    assert.is(cxx.code, 1, cxx.out);
    assert.match(cxx.out, /sh: 1: no-such-g\+\+: not found/, 'CXX is honoured');
  } finally {
    removeProject(p.dir);
  }
});

test('#error in src/ fails native (compiler error) and embedded (names the file) builds, exit 1', () => {
  const p = project({ 'src/broken.c': '/* test */\n#error "stand-in strictness"\n' });
  try {
    const native = p.pio(['run', '-e', 'native']);
    assert.is(native.code, 1, native.out);
    assert.match(native.out, /src\/broken\.c:2:\d+: error: #error "stand-in strictness"/);
    assert.not.ok(existsSync(join(p.dir, '.pio/build/native/program')));

    const uno = p.pio(['run', '-e', 'uno']);
    assert.is(uno.code, 1, uno.out);
    assert.match(uno.out, /src\/broken\.c:2:2: error: #error "stand-in strictness"/);
    assert.not.ok(existsSync(join(p.dir, '.pio/build/uno/firmware.bin')));

    // Several envs: the failing one fails the run, the others still build.
    const both = p.pio(['run', '-e', 'uno', '-e', 'native']);
    assert.is(both.code, 1);
    assert.match(both.out, /0 succeeded, 2 failed/);
  } finally {
    removeProject(p.dir);
  }
});

test('embedded: a header forced in with build_flags -include fails only that env; a missing one too', () => {
  const p = project({ 'inc/fail.h': '#error "only this env"\n' });
  try {
    writeFileSync(join(p.dir, 'platformio.ini'), `${INI}\n[env:uno_fail]\nplatform = atmelavr\nboard = uno\nbuild_flags = -include inc/fail.h\n\n[env:uno_gone]\nplatform = atmelavr\nboard = uno\nbuild_flags = -include /nonexistent/x.h\n`);
    const bad = p.pio(['run', '-e', 'uno_fail']);
    assert.is(bad.code, 1, bad.out);
    assert.match(bad.out, /inc\/fail\.h:1:2: error: #error "only this env"/);
    const gone = p.pio(['run', '-e', 'uno_gone']);
    assert.is(gone.code, 1, gone.out);
    assert.match(gone.out, /fatal error: \/nonexistent\/x\.h: No such file or directory/);
    const ok = p.pio(['run', '-e', 'uno']);
    assert.is(ok.code, 0, ok.out);
  } finally {
    removeProject(p.dir);
  }
});

test('pio test -e native: a passing test passes, a failing one fails; src/ only with test_build_src', () => {
  const pass = project({ 'test/test_add/test_main.cpp': testFile(3) });
  const failing = project({ 'test/test_add/test_main.cpp': testFile(4) });
  try {
    let r = pass.pio(['test', '-e', 'native_src']);
    assert.is(r.code, 0, r.out);
    assert.match(r.out, /test_add \[PASSED\]/);
    assert.match(r.out, /1 Tests 0 Failures/);

    // Without test_build_src (PlatformIO 6's default) src/ is not built: add() is missing.
    r = pass.pio(['test', '-e', 'native']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /undefined reference to `add/);

    r = failing.pio(['test', '-e', 'native_src']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /test_add \[FAILED\]/);
    assert.match(r.out, /1 Tests 1 Failures/);
  } finally {
    removeProject(pass.dir);
    removeProject(failing.dir);
  }
});

test('build_flags interpolation (${env:OTHER.build_flags}, extends, ${sysenv.X}) and build_src_filter, as PlatformIO applies them', () => {
  const ini = `[env]
build_flags = -DBASE=1

[env:lib]
platform = native
build_flags = \${env.build_flags} -DLIB=2

[env:app]
extends = env:lib
build_flags = \${env:lib.build_flags} -DAPP=\${sysenv.APP_VALUE}
build_src_filter = +<*> -<broken/>
test_build_src = yes

[env:broken]
platform = native
build_flags = \${env:nosuch.build_flags}
`;
  const main = '#include <stdio.h>\nint add(int a, int b) { return a + b; }\n#ifndef PIO_UNIT_TESTING\nint main() { printf("%d %d %d\\n", BASE, LIB, APP); return 0; }\n#endif\n';
  const p = project({ 'src/main.cpp': main, 'src/broken/bad.cpp': '#error not selected by build_src_filter\n', 'test/test_add/test_main.cpp': testFile(3) });
  try {
    writeFileSync(join(p.dir, 'platformio.ini'), ini);
    let r = p.pio(['run', '-e', 'app'], { APP_VALUE: '7' });
    assert.is(r.code, 0, r.out);
    const run = spawnSync(join(p.dir, '.pio/build/app/program'), { encoding: 'utf8' });
    assert.is(run.stdout, '1 2 7\n');
    r = p.pio(['test', '-e', 'app'], { APP_VALUE: '7' });
    assert.is(r.code, 0, r.out);
    // Without the filter the broken folder is compiled, and its #error fails the build.
    r = p.pio(['run', '-e', 'lib']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /#error not selected by build_src_filter/);
    r = p.pio(['run', '-e', 'broken']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /No section: 'env:nosuch'/);
  } finally {
    removeProject(p.dir);
  }
});

test('pio test -e native: a test may define setUp and tearDown (Unity has weak defaults in unity.c)', () => {
  const p = project({ 'test/test_add/test_main.cpp': testFile(3).replace('int add(int, int);', 'int add(int, int);\nstatic int calls = 0;\nvoid setUp(void) { calls++; }\nvoid tearDown(void) {}') });
  try {
    const r = p.pio(['test', '-e', 'native_src']);
    assert.is(r.code, 0, r.out);
    assert.match(r.out, /test_add \[PASSED\]/);
  } finally {
    removeProject(p.dir);
  }
});

test('pio test -e native: an #error in a test source fails the suite, exit 1', () => {
  const p = project({ 'test/test_add/test_main.cpp': '#error broken test\n' + testFile(3) });
  try {
    const r = p.pio(['test', '-e', 'native_src']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /#error broken test/);
    assert.match(r.out, /test_add \[FAILED\]/);
  } finally {
    removeProject(p.dir);
  }
});

test('pio test -e uno: no board to upload to, exit 1; build-only (--without-uploading --without-testing) works', () => {
  const p = project({ 'test/test_add/test_main.cpp': testFile(3) });
  try {
    let r = p.pio(['test', '-e', 'uno']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /Error: Please specify `upload_port`/);
    r = p.pio(['test', '-e', 'uno', '--without-uploading', '--without-testing']);
    assert.is(r.code, 0, r.out);
    r = p.pio(['test', '-e', 'nope']);
    assert.is(r.code, 1);
    assert.match(r.out, /Unknown environment names 'nope'/);
  } finally {
    removeProject(p.dir);
  }
});

test('PIO_STANDIN_SLEEP: SIGTERM mid-build ends it at once, status 143 (128+15) as a shell or the engine sees it', async () => {
  const p = project();
  try {
    const env = pioEnv(p.core, { PIO_STANDIN_SLEEP: '30' });
    for (const e of ['native', 'uno']) {
      const child = spawn('sh', ['-c', `exec python3 -m platformio run -e ${e}`], { cwd: p.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      // Mid-build: the sleep has started (python's start-up time varies with load), then 0.5 s more.
      for (const until = Date.now() + 10_000; !/sleeping 30 s/.test(out) && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.match(out, /sleeping 30 s/, `${e}: the build reached its sleep:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const killed = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await done;
      const took = Date.now() - killed;
      // `exec` makes pio the shell's process: it dies by the signal (Python's default action),
      // which a parent shell or `docker wait` reports as 128+15.
      const status = code ?? 128 + constants.signals[signal!];
      assert.is(status, 143, `${e}: code ${code} signal ${signal}\n${out}`);
      assert.ok(took < 1000, `${e}: took ${took} ms after SIGTERM`);
    }
    // The status a shell sees for it.
    const sh = spawnSync('sh', ['-c', 'python3 -m platformio run -e uno & pid=$!; sleep 0.5; kill -TERM $pid; wait $pid; echo "status $?"'], { cwd: p.dir, env, encoding: 'utf8', timeout: 10_000 });
    assert.match(sh.stdout, /^status 143$/m, sh.stdout + sh.stderr);
  } finally {
    removeProject(p.dir);
  }
});

test('exec bits: tools installed 0644 (one in bin/, one at a package root); another container runs them and fails until both are executable', () => {
  const p = project();
  try {
    const gcc = join(p.core, 'packages/toolchain-standin/bin/standin-gcc');
    const tool = join(p.core, 'packages/tool-standin/standin-tool');
    let r = p.pio(['run', '-e', 'uno']);
    assert.is(r.code, 0, r.out);
    assert.match(readFileSync(join(p.dir, '.pio/build/uno/firmware.bin'), 'utf8'), /^toolchain=toolchain installed just now, not run$/m, 'the installing container builds on');
    for (const t of [gcc, tool]) assert.is(statSync(t).mode & 0o777, 0o644, t);
    assert.is(p.pio(['run', '-e', 'uno']).code, 0, 'the same container still does not run them');

    // Now "another container": the markers name a different instance.
    for (const pkg of ['toolchain-standin', 'tool-standin']) writeFileSync(join(p.core, 'packages', pkg, '.installed-by'), 'another-container:1');
    r = p.pio(['run', '-e', 'uno']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /standin-gcc: Permission denied/);

    chmodSync(gcc, 0o755); // what an entrypoint fixing only */bin/ does
    r = p.pio(['run', '-e', 'uno']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /tool-standin\/standin-tool: Permission denied/);

    chmodSync(tool, 0o755);
    r = p.pio(['run', '-e', 'uno', '-v']);
    assert.is(r.code, 0, r.out);
    assert.match(r.out, /standin-tool \(test stand-in\) -o firmware\.elf uno/);
    assert.match(readFileSync(join(p.dir, '.pio/build/uno/firmware.bin'), 'utf8'), /^toolchain=standin-gcc \(test stand-in\) -o firmware\.elf uno$/m);

    // Native envs use the host compiler, not the cached toolchain.
    chmodSync(gcc, 0o644);
    r = p.pio(['run', '-e', 'native']);
    assert.is(r.code, 0, r.out);
  } finally {
    removeProject(p.dir);
  }
});

test('wheel: pip installs it as platformio==VERSIONS.platformio from the local index; the index URL follows the content', async () => {
  const wheelDir = join(tmp, 'wheels');
  buildStandinWheel(wheelDir);
  const otherDir = join(tmp, 'other-wheels');
  buildStandinWheel(otherDir, '9.9.9'); // different bytes
  const index = await startPipIndex(wheelDir);
  const pipEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIP_'))), PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const venv = join(tmp, 'venv');
  try {
    const again = await startPipIndex(wheelDir).catch(() => undefined); // same port: in use, so a random one
    const other = await startPipIndex(otherDir);
    try {
      assert.is.not(other.url, index.url, 'different wheels, different index URL (the PIP_INDEX_URL build arg)');
      assert.ok(again, 'a second index on the same wheels still starts');
    } finally {
      await again?.close();
      await other.close();
    }
    // Same wheels after the first index closed: the same URL again, so cached layers are reused.
    const made = await execa('python3', ['-m', 'venv', venv], { reject: false });
    assert.is(made.exitCode, 0, String(made.stderr));
    const pip = await execa(join(venv, 'bin/pip'), ['install', '-q', '--index-url', index.url, `platformio==${VERSIONS.platformio}`], { reject: false, env: pipEnv, extendEnv: false });
    assert.is(pip.exitCode, 0, String(pip.stderr));
  } finally {
    const url = index.url;
    await index.close();
    const reopened = await startPipIndex(wheelDir);
    await reopened.close();
    assert.is(reopened.url, url, 'same wheels, same URL');
  }
  const p = project();
  try {
    const v = spawnSync(join(venv, 'bin/pio'), ['--version'], { encoding: 'utf8' });
    assert.is(v.stdout.trim(), `PlatformIO Core, version ${VERSIONS.platformio} (test stand-in)`);
    const r = spawnSync(join(venv, 'bin/pio'), ['run', '-e', 'native'], { cwd: p.dir, encoding: 'utf8', env: { ...pioEnv(p.core), PYTHONPATH: '' } });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.ok(existsSync(join(p.dir, '.pio/build/native/program')));
  } finally {
    removeProject(p.dir);
  }
});

test.run();
