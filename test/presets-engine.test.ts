// The go-deb preset on the real engine: the fixture (test/fixtures/presets/go-deb) scaffolded, its
// builder image built on a local stand-in base (cpd-test/golang:bookworm: Debian's golang-go and
// dpkg-dev, made by test/engine/setup-engine.sh), then: `help` without mounts, both binaries built
// and run, the .deb passes `dpkg-deb --info` and installs in a clean container with its binaries on
// PATH, output handed to the owner of the checkout, and the module cache volume persists (a
// dependency from a local GOPROXY=file:// proxy is downloaded by the first build only). Names carry
// `cpd-h13-` and a random suffix.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { engineSuite, TEST_IMAGES } from './helpers/engine.js';
import { ROOT, runCli } from './helpers/cli.js';

const GOLANG_IMAGE = 'cpd-test/golang:bookworm';
const id = randomBytes(3).toString('hex');
const image = `cpd-h13-hellofs-${id}`;
const volumes = [`cpd-h13-gomod-${id}`, `cpd-h13-gobuild-${id}`];

const { test } = await engineSuite('go-deb preset on the engine');

const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 600_000 });
const ok = (r: SpawnSyncReturns<string>, what: string) => assert.is(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);

test('go-deb: builder image on a Debian golang-go base; binaries, .deb, clean install, help without mounts', () => {
  if (sh('docker', ['image', 'inspect', GOLANG_IMAGE]).status !== 0) {
    const reason = `missing test image ${GOLANG_IMAGE} (create it with: bash test/engine/setup-engine.sh)`;
    if (process.env.CI === 'true') throw new Error(reason);
    console.log(`go-deb engine test skipped: ${reason}`);
    return;
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'cpd-h13-')), 'hellofs');
  try {
    cpSync(join(ROOT, 'test', 'fixtures', 'presets', 'go-deb'), dir, { recursive: true });
    // A module dependency, served by a local file proxy (GOPROXY=file://): no network.
    const proxy = join(dir, '..', 'proxy');
    const dep = 'example.org/greeting';
    mkdirSync(join(proxy, dep, '@v'), { recursive: true });
    writeFileSync(join(proxy, dep, '@v', 'list'), 'v1.0.0\n');
    writeFileSync(join(proxy, dep, '@v', 'v1.0.0.info'), '{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}\n');
    writeFileSync(join(proxy, dep, '@v', 'v1.0.0.mod'), `module ${dep}\n\ngo 1.19\n`);
    ok(sh('python3', ['-c', `import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nz.writestr('${dep}@v1.0.0/go.mod','module ${dep}\\n\\ngo 1.19\\n')\nz.writestr('${dep}@v1.0.0/greeting.go','package greeting\\n\\nconst Word = "hi"\\n')\nz.close()`, join(proxy, dep, '@v', 'v1.0.0.zip')]), 'module zip');
    writeFileSync(join(dir, 'go.mod'), `${readFileSync(join(dir, 'go.mod'), 'utf8')}\nrequire ${dep} v1.0.0\n`);
    writeFileSync(join(dir, 'cmd', 'a', 'dep.go'), `package main\n\nimport _ "${dep}"\n`);
    const goEnv = ['-e', 'GOPROXY=file:///proxy', '-e', 'GOSUMDB=off', '-v', `${proxy}:/proxy:ro`];
    const git = (...args: string[]) => ok(sh('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd: dir }), `git ${args[0]}`);
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'init');
    git('tag', 'v1.2.3');
    const scaffold = runCli([dir, '--yes', '--image', image, '--system-packages', 'none'], dir);
    assert.is(scaffold.code, 0, scaffold.stderr);
    ok(sh(join(dir, 'scripts', 'build-docker.sh'), ['--tag', `${image}:builder`], { env: { BASE_IMAGE: GOLANG_IMAGE } }), 'build-docker.sh');
    // go.sum for the dependency, in a throw-away container (its module cache is not the volume).
    ok(sh('docker', ['run', '--rm', ...goEnv, '-v', `${dir}:/build`, '-w', '/build', '--entrypoint', 'go', `${image}:builder`, 'mod', 'download', dep]), 'go mod download');
    ok(sh('docker', ['run', '--rm', ...goEnv, '-v', `${dir}:/build`, '-w', '/build', '--entrypoint', 'go', `${image}:builder`, 'mod', 'tidy']), 'go mod tidy');
    git('add', '.');
    git('commit', '-qm', 'dependency');
    git('tag', '-f', 'v1.2.3');

    const help = sh('docker', ['run', '--rm', `${image}:builder`, 'help']);
    ok(help, 'help without mounts');
    assert.match(help.stdout, /binaries .*\(a b\)/);

    // The checkout belongs to a non-root user: the output must too.
    chownSync(dir, 4321, 4321);
    const build = (cmd: string) => sh('docker', ['run', '--rm', ...goEnv, '-v', `${dir}:/build`, '-w', '/build', '-v', `${volumes[0]}:/go/pkg/mod`, '-v', `${volumes[1]}:/root/.cache/go-build`, `${image}:builder`, cmd, '--output', 'out']);
    const downloads = (r: SpawnSyncReturns<string>) => (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('go: downloading ')).length;
    const run = build('all');
    ok(run, 'all --output out');
    assert.is(downloads(run), 1, `first build downloads the dependency once:\n${run.stderr}`);
    // Cache persists: the module cache volume has it, a second build downloads nothing.
    const again = build('binaries');
    ok(again, 'binaries again');
    assert.is(downloads(again), 0, `second build downloads no module:\n${again.stderr}`);
    const deb = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.deb'));
    assert.equal(deb, ['hellofs_1.2.3_amd64.deb'], 'version from the git tag');
    for (const f of ['out', 'out/bin/a', 'out/bin/b', `out/${deb[0]}`]) assert.is(statSync(join(dir, f)).uid, 4321, `${f} belongs to the checkout's owner`);

    const base = TEST_IMAGES.debian;
    const a = sh('docker', ['run', '--rm', '-v', `${dir}/out:/out:ro`, base, '/out/bin/a']);
    ok(a, 'a runs');
    assert.is(a.stdout, 'hello from a (a 1.2.3)\n', 'version from -ldflags');
    const b = sh('docker', ['run', '--rm', '-v', `${dir}/out:/out:ro`, base, '/out/bin/b']);
    ok(b, 'b (cgo) runs');
    assert.is(b.stdout, 'b 1.2.3: 42\n');

    // The entrypoint takes its commands only: dpkg-deb through another entrypoint.
    const info = sh('docker', ['run', '--rm', '--entrypoint', 'dpkg-deb', '-v', `${dir}/out:/out:ro`, `${image}:builder`, '--info', `/out/${deb[0]}`]);
    ok(info, 'dpkg-deb --info');
    assert.match(info.stdout, /Package: hellofs\n\s*Version: 1\.2\.3\n\s*Architecture: amd64\n\s*Maintainer: Hello Maintainers <hello@example\.org>\n\s*Depends: fuse3 \(>= 3\.2\)/);

    const install = sh('docker', ['run', '--rm', '-v', `${dir}/out:/out:ro`, base, 'sh', '-c', `apt-get update -qq >/dev/null && apt-get install -y -qq /out/${deb[0]} >/dev/null && a && b && dpkg -L hellofs | grep -x /usr/bin/b`]);
    ok(install, 'installs in a clean container, binaries on PATH');
    assert.is(install.stdout, 'hello from a (a 1.2.3)\nb 1.2.3: 42\n/usr/bin/b\n');

    ok(sh('docker', ['run', '--rm', '-v', `${dir}:/build`, '-w', '/build', `${image}:builder`, 'clean', '--output', 'out']), 'clean');
    assert.not.ok(existsSync(join(dir, 'out')), 'clean removed its output');
  } finally {
    sh('docker', ['image', 'rm', '-f', `${image}:builder`]);
    sh('docker', ['volume', 'rm', '-f', ...volumes]);
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test.run();
