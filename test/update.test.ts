// `create-pio-docker update` end to end: scaffold with the real bin, edit like a team would,
// change platformio.ini, update, and check that the result keeps the edits and still works.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument, isMap, type YAMLMap } from 'yaml';
import { readState, removeProject, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createHash } from 'node:crypto';

// uno (the default) goes, pico arrives as the new default, esp32dev stays. Not a rename: pico has
// another board and platform.
const NEW_INI = TWO_ENVS_INI.replace('default_envs = uno', 'default_envs = pico').replace(/\[env:uno\]\nplatform = atmelavr\nboard = uno\n/, '[env:pico]\nplatform = raspberrypi\nboard = pico\n');

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
/** The envs of the CI workflow's build matrix. */
const matrixEnvs = (dir: string): string[] => parse(read(dir, '.github/workflows/docker-build.yml')).jobs.build.strategy.matrix.include.map((m: { env: string }) => m.env);
const write = (dir: string, f: string, content: string) => writeFileSync(join(dir, f), content);

/** Replaces exactly one occurrence, so an edit that silently does nothing fails the test. */
function edit(dir: string, f: string, from: string | RegExp, to: string): void {
  const text = read(dir, f);
  const hits = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, `${from.flags}g`)) ?? []).length;
  assert.is(hits, 1, `edit of ${f}: expected one match of ${from}`);
  write(dir, f, text.replace(from, to));
}

function scaffold(ini = TWO_ENVS_INI, ...flags: string[]): string {
  const dir = tempProject({ 'platformio.ini': ini });
  const r = runCli(['--yes', ...flags], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

const update = (dir: string, ...args: string[]) => runCli(['update', ...args], dir);

type Services = Record<string, { profiles?: string[]; environment?: Record<string, string> | string[] } & Record<string, unknown>>;
const composeFiles = (dir: string) => [...snapshot(dir).keys()].filter((p) => /^compose[^/]*\.ya?ml$/.test(p)).sort();
const services = (dir: string, f: string): Services => parse(read(dir, f)).services ?? {};
const profilesOf = (svcs: Services) => [...new Set(Object.values(svcs).flatMap((s) => s.profiles ?? []))].sort();

/** The compose file and service that builds `env` (the service with the env's profile). */
function envService(dir: string, env: string): { file: string; name: string } {
  for (const file of composeFiles(dir)) {
    const hit = Object.entries(services(dir, file)).find(([, s]) => s.profiles?.includes(env));
    if (hit) return { file, name: hit[0] };
  }
  throw new Error(`no compose service with profile ${env}`);
}

/** A team edit to a compose service, made as text (the way an editor would): a new key with a comment. */
function editService(dir: string, file: string, name: string): void {
  const doc = parseDocument(read(dir, file));
  const svc = (doc.get('services') as YAMLMap).get(name);
  assert.ok(isMap(svc) && !svc.has('stop_grace_period'), 'the edit adds a key the generator does not write');
  edit(dir, file, new RegExp(`^  ${name.replace(/[.]/g, '\\.')}:\\n`, 'm'), `  ${name}:\n    # team: give pio time to write the firmware\n    stop_grace_period: 42s\n`);
}

function shellcheck(dir: string, files: string[]): void {
  const r = spawnSync('shellcheck', ['-x', ...files], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 0, `shellcheck:\n${r.stdout}${r.stderr}`);
}

/** `docker-compose config -q` for every compose file, without a profile and with each of its profiles. */
function composeConfigAll(dir: string): string[] {
  const checked: string[] = [];
  for (const file of composeFiles(dir)) {
    for (const profile of [null, ...profilesOf(services(dir, file))]) {
      const args = ['-f', file, ...(profile ? ['--profile', profile] : []), 'config', '-q'];
      const r = spawnSync('docker-compose', args, { cwd: dir, encoding: 'utf8' });
      assert.is(r.status, 0, `docker-compose ${args.join(' ')}:\n${r.stderr}`);
      checked.push(`${file}:${profile ?? '-'}`);
    }
  }
  return checked;
}

const scripts = (dir: string) => [...snapshot(dir).keys()].filter((p) => p.endsWith('.sh') && !p.startsWith('.create-pio-docker/')).sort();

test('issue scenario: edits in Dockerfile, a compose service and the workflow survive an env added and one removed', () => {
  const dir = scaffold();
  try {
    assert.ok(NEW_INI.includes('[env:pico]') && !NEW_INI.includes('[env:uno]'));
    const uno = envService(dir, 'uno');
    const esp = envService(dir, 'esp32dev');
    // Team edits: a Dockerfile line, a compose service, the workflow's runner and an extra step.
    edit(dir, 'Dockerfile', 'FROM dev AS builder\n', 'FROM dev AS builder\n# team: quieter builds in CI logs\nENV PLATFORMIO_NO_ANSI=1\n');
    editService(dir, esp.file, esp.name);
    const wf = '.github/workflows/docker-build.yml';
    edit(dir, wf, '    needs: image\n    runs-on: ubuntu-latest', '    needs: image\n    runs-on: ubuntu-22.04 # team: pinned runner');
    edit(dir, wf, '          path: firmware/\n          if-no-files-found: error\n', '          path: firmware/\n          if-no-files-found: error\n\n      - name: Size report\n        run: du -sh firmware/\n');

    write(dir, 'platformio.ini', NEW_INI);
    const r = update(dir);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /env added: pico/);
    assert.match(r.stdout, /env removed: uno/);
    assert.match(r.stdout, /default env \(TARGET_BOARD\): uno -> pico/);
    for (const f of ['Dockerfile', esp.file, wf]) assert.match(r.stdout, new RegExp(`merged +${f.replace(/[.]/g, '\\.')}\n`));

    // Every edit kept, next to the regenerated content.
    const dockerfile = read(dir, 'Dockerfile');
    assert.match(dockerfile, /FROM dev AS builder\n# team: quieter builds in CI logs\nENV PLATFORMIO_NO_ANSI=1\n/);
    assert.match(dockerfile, /ARG TARGET_BOARD=pico\n/, 'the new default env');
    assert.match(read(dir, esp.file), /    # team: give pio time to write the firmware\n    stop_grace_period: 42s\n/);
    assert.is(services(dir, esp.file)[esp.name].stop_grace_period, '42s');
    const workflow = read(dir, wf);
    assert.match(workflow, /runs-on: ubuntu-22\.04 # team: pinned runner\n/);
    assert.match(workflow, /      - name: Size report\n        run: du -sh firmware\/\n/);

    // Services, profiles, matrix, docs and scripts follow platformio.ini.
    const pico = envService(dir, 'pico');
    assert.is(pico.file, uno.file);
    const profiles = composeFiles(dir).flatMap((f) => profilesOf(services(dir, f)));
    assert.ok(profiles.includes('pico') && profiles.includes('esp32dev'), profiles.join(' '));
    assert.not.ok(profiles.includes('uno'), 'the removed env has no profile left');
    assert.not.ok(Object.keys(services(dir, uno.file)).includes(uno.name), 'the removed env has no service left');
    assert.equal(matrixEnvs(dir), ['pico', 'esp32dev']);
    const docs = read(dir, 'docs/DOCKER.md');
    assert.match(docs, /\bpico\b/);
    assert.not.match(docs, /\buno\b/);
    assert.match(scripts(dir).map((f) => read(dir, f)).join('\n'), /\bpico\b/, 'the scripts know the new env');
    const stored = readState(dir);
    assert.equal(stored.answers.envs, [
      { name: 'pico', board: 'pico', platform: 'raspberrypi' },
      { name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' },
    ]);
    assert.not.ok(existsSync(join(dir, '.create-pio-docker')), 'no mirror of the generated files');

    // Still valid: shellcheck on the scripts, compose config for every profile.
    shellcheck(dir, scripts(dir));
    const checked = composeConfigAll(dir);
    assert.ok(checked.includes(`${pico.file}:pico`), checked.join(' '));

    // A second update is a no-op, byte for byte.
    const before = snapshot(dir);
    const again = update(dir);
    assert.is(again.code, 0, again.stderr);
    assert.equal(snapshot(dir), before);
    assert.not.match(again.stdout, /^  (updated|merged|CONFLICT)/m);
    assert.match(again.stdout, /platformio\.ini: no env changes/);
  } finally {
    removeProject(dir);
  }
});

test('untouched files are replaced by exactly what a fresh scaffold writes', () => {
  const dir = scaffold();
  const fresh = scaffold(NEW_INI);
  try {
    edit(dir, 'Dockerfile', 'FROM dev AS builder\n', 'FROM dev AS builder\nENV TEAM=1\n');
    write(dir, 'platformio.ini', NEW_INI);
    const r = update(dir);
    assert.is(r.code, 0, r.stderr);
    const got = snapshot(dir);
    const want = snapshot(fresh);
    for (const [path, { content }] of want) {
      if (path === 'Dockerfile' || path === 'platformio.ini') continue;
      assert.is(got.get(path)?.content, content, `${path} should equal a fresh scaffold's`);
    }
    assert.equal([...got.keys()].sort(), [...want.keys()].sort());
    for (const f of scripts(dir)) assert.is(got.get(f)!.mode & 0o111, 0o111, `${f} stays executable`);
    assert.is(got.get('Dockerfile')!.content, want.get('Dockerfile')!.content.replace('FROM dev AS builder\n', 'FROM dev AS builder\nENV TEAM=1\n'));
  } finally {
    removeProject(dir);
    removeProject(fresh);
  }
});

test('a conflicting edit: markers written, listed, exit 1; the next update refuses until resolved', () => {
  const dir = scaffold();
  try {
    // The team pins the default env on the same line the generator changes when uno goes away.
    edit(dir, 'Dockerfile', 'ARG TARGET_BOARD=uno\n', 'ARG TARGET_BOARD=uno # team default\n');
    write(dir, 'docs/DOCKER.md', `${read(dir, 'docs/DOCKER.md')}\nTeam notes: ask #firmware.\n`);
    write(dir, 'platformio.ini', TWO_ENVS_INI.replace(/\[env:uno\][^]*$/, '').replace('default_envs = uno', 'default_envs = esp32dev'));
    const r = update(dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /CONFLICT +Dockerfile/);
    assert.match(r.stdout, /1 file\(s\) with conflicts[^]*\n  Dockerfile\n/);
    assert.match(r.stdout, /default env \(TARGET_BOARD\): uno -> esp32dev/);
    const dockerfile = read(dir, 'Dockerfile');
    assert.match(dockerfile, /<<<<<<< ours\nARG TARGET_BOARD=uno # team default\n\|\|\|\|\|\|\| base\nARG TARGET_BOARD=uno\n=======\nARG TARGET_BOARD=esp32dev\n>>>>>>> generated\n/);
    // The rest was still merged.
    assert.match(read(dir, 'docs/DOCKER.md'), /Team notes: ask #firmware\.\n$/);
    assert.not.match(read(dir, 'docs/DOCKER.md'), /\buno\b/);

    const before = snapshot(dir);
    const blocked = update(dir);
    assert.is(blocked.code, 2);
    assert.match(blocked.stderr, /unresolved conflict markers[^]*\n  Dockerfile\n/);
    assert.equal(snapshot(dir), before, 'a blocked update writes nothing');
    assert.is(update(dir, '--check').code, 2);

    // Resolved by hand: the next update runs and keeps the resolution.
    write(dir, 'Dockerfile', dockerfile.replace(/<<<<<<< ours\n([^\n]*\n)[^]*?>>>>>>> generated\n/, '$1'));
    const ok = update(dir);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(read(dir, 'Dockerfile'), /ARG TARGET_BOARD=uno # team default\n/);
    assert.match(ok.stdout, /kept \(yours\) +Dockerfile/);
  } finally {
    removeProject(dir);
  }
});

test('--dry-run prints a unified diff and writes nothing', () => {
  const dir = scaffold();
  try {
    write(dir, 'platformio.ini', NEW_INI);
    const before = snapshot(dir);
    const r = update(dir, '--dry-run');
    assert.is(r.code, 0, r.stderr);
    assert.equal(snapshot(dir), before);
    assert.match(r.stdout, /^--- a\/\.github\/workflows\/docker-build\.yml\n\+\+\+ b\/\.github\/workflows\/docker-build\.yml\n@@ /m);
    assert.match(r.stdout, /^-          - env: "uno"\n\+          - env: "pico"\n/m);
    assert.match(r.stdout, /^-ARG TARGET_BOARD=uno\n\+ARG TARGET_BOARD=pico\n/m);
    assert.match(r.stderr, /env added: pico/);
    assert.match(r.stderr, /dry run, nothing written/);
    assert.not.match(r.stdout, /^--- a\/\.dockerignore/m, 'files that do not change are not in the diff');
  } finally {
    removeProject(dir);
  }
});

test('--check: 0 when up to date, 1 listing the stale files after platformio.ini changed, 0 after update', () => {
  const dir = scaffold();
  try {
    const upToDate = update(dir, '--check');
    assert.is(upToDate.code, 0, upToDate.stdout + upToDate.stderr);
    assert.match(upToDate.stdout, /up to date/);
    write(dir, 'platformio.ini', NEW_INI);
    const before = snapshot(dir);
    const stale = update(dir, '--check');
    assert.is(stale.code, 1);
    assert.match(stale.stdout, /out of date[^]*\.github\/workflows\/docker-build\.yml/);
    assert.not.match(stale.stdout, /\.dockerignore/);
    assert.equal(snapshot(dir), before);
    assert.is(update(dir).code, 0);
    assert.is(update(dir, '--check').code, 0);
    assert.is(update(dir, '--check', '--dry-run').code, 2, 'the two modes do not combine');
  } finally {
    removeProject(dir);
  }
});

test('a file the user deleted stays deleted and the summary says so', () => {
  const dir = scaffold();
  try {
    rmSync(join(dir, 'docs/DOCKER.md'));
    write(dir, 'platformio.ini', NEW_INI);
    const r = update(dir);
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(existsSync(join(dir, 'docs/DOCKER.md')));
    assert.match(r.stdout, /deleted by you, left deleted +docs\/DOCKER\.md/);
    assert.is(update(dir, '--check').code, 0, 'a deleted file does not make the tree stale');
  } finally {
    removeProject(dir);
  }
});

test('an artifact that is no longer generated is removed when untouched, kept when edited', () => {
  const dir = scaffold(TWO_ENVS_INI, '--runners', 'github');
  try {
    // An answer changed with update: no CI wanted any more, no runners either.
    edit(dir, 'compose.runners.yaml', /^/, '# team: our runners\n');
    const r = update(dir, '--ci', 'none', '--runners', 'none');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed \(no longer generated\) +\.github\/workflows\/docker-build\.yml/);
    assert.match(r.stdout, /kept \(yours; no longer generated\) +compose\.runners\.yaml/);
    assert.not.ok(existsSync(join(dir, '.github/workflows/docker-build.yml')));
    assert.match(read(dir, 'compose.runners.yaml'), /^# team: our runners\n/);
    assert.is(readState(dir).answers.ci, 'none');
    assert.is(update(dir).code, 0);
    assert.not.ok(existsSync(join(dir, '.github/workflows/docker-build.yml')), 'stays removed');
  } finally {
    removeProject(dir);
  }
});

test('markers left in a tracked file block the update: exit 2, file named, nothing written', () => {
  const dir = scaffold();
  try {
    write(dir, 'platformio.ini', NEW_INI);
    edit(dir, '.dockerignore', /^/, '<<<<<<< ours\n.pio/\n=======\n.pio\n>>>>>>> generated\n');
    const before = snapshot(dir);
    const r = update(dir);
    assert.is(r.code, 2);
    assert.match(r.stderr, /unresolved conflict markers[^]*\n  \.dockerignore\n/);
    assert.equal(snapshot(dir), before);
  } finally {
    removeProject(dir);
  }
});

test('tool upgrade: a template line changed since the last generation arrives; the user edit stays', () => {
  const dir = scaffold(TWO_ENVS_INI, '--runners', 'github');
  try {
    // As if an older tool had generated another HEALTHCHECK interval, in the file and in its base.
    const base = packedBase(dir);
    edit(dir, 'Dockerfile', 'HEALTHCHECK --interval=30s', 'HEALTHCHECK --interval=90s');
    base.Dockerfile = base.Dockerfile.replace('HEALTHCHECK --interval=30s', 'HEALTHCHECK --interval=90s');
    // ...and another value in a compose service, merged structurally.
    const uno = envService(dir, 'uno');
    const command = services(dir, uno.file)[uno.name].command as string[];
    const flow = (cmd: string[]) => `command: [${cmd.join(', ')}]\n`;
    const oldCommand = [...command, '--verbose'];
    edit(dir, uno.file, flow(command), flow(oldCommand));
    base[uno.file] = base[uno.file].replace(flow(command), flow(oldCommand));
    assert.equal(services(dir, uno.file)[uno.name].command, oldCommand);
    writePackedBase(dir, base, '0.0.1');
    // The team's edits elsewhere.
    edit(dir, 'Dockerfile', 'FROM dev AS builder\n', 'FROM dev AS builder\nENV TEAM=1\n');
    editService(dir, uno.file, uno.name);

    const r = update(dir);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const dockerfile = read(dir, 'Dockerfile');
    assert.match(dockerfile, /HEALTHCHECK --interval=30s/);
    assert.match(dockerfile, /FROM dev AS builder\nENV TEAM=1\n/);
    assert.equal(services(dir, uno.file)[uno.name].command, command);
    assert.is(services(dir, uno.file)[uno.name].stop_grace_period, '42s');
    assert.match(read(dir, uno.file), /# team: give pio time to write the firmware\n/);
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    assert.is(readState(dir).toolVersion, version);
    assert.match(r.stdout, /platformio\.ini: no env changes/);
  } finally {
    removeProject(dir);
  }
});

test('a rename (same board and platform) is reported as one, and the env keeps its place', () => {
  const dir = scaffold();
  try {
    write(dir, 'platformio.ini', TWO_ENVS_INI.replace('[env:uno]', '[env:uno_r3]').replace('default_envs = uno', 'default_envs = uno_r3'));
    const r = update(dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /env renamed: uno -> uno_r3/);
    assert.match(read(dir, 'Dockerfile'), /ARG TARGET_BOARD=uno_r3\n/);
    assert.equal(matrixEnvs(dir), ['uno_r3', 'esp32dev']);
  } finally {
    removeProject(dir);
  }
});

test('input errors exit 2: never scaffolded; without platformio.ini the stored envs stay', () => {
  const bare = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  const dir = scaffold();
  try {
    const r = update(bare);
    assert.is(r.code, 2);
    assert.match(r.stderr, /never scaffolded \(no \.create-pio-docker\.json\)/);
    rmSync(join(dir, 'platformio.ini'));
    const before = snapshot(dir);
    const n = update(dir);
    assert.is(n.code, 0, n.stderr);
    assert.match(n.stdout, /Nothing changed\./);
    assert.equal(snapshot(dir), before);
  } finally {
    removeProject(bare);
    removeProject(dir);
  }
});

test('the scaffold on a scaffolded project is update with the new answers', () => {
  const a = scaffold();
  const b = scaffold();
  try {
    for (const dir of [a, b]) {
      edit(dir, 'Dockerfile', 'FROM dev AS builder\n', 'FROM dev AS builder\nENV TEAM=1\n');
      write(dir, 'platformio.ini', NEW_INI);
    }
    const viaScaffold = runCli(['--tools', 'cppcheck'], a);
    const viaUpdate = update(b, '--tools', 'cppcheck');
    assert.is(viaScaffold.code, 0, viaScaffold.stderr);
    assert.is(viaUpdate.code, 0, viaUpdate.stderr);
    assert.equal(snapshot(a), snapshot(b));
    assert.match(read(a, 'Dockerfile'), /FROM dev AS builder\nENV TEAM=1\n/);
    assert.match(read(a, 'Dockerfile'), /cppcheck/);
    assert.equal(matrixEnvs(a), ['pico', 'esp32dev']);
  } finally {
    removeProject(a);
    removeProject(b);
  }
});

/** The packed copy of what was generated, from the state file. */
function packedBase(dir: string): Record<string, string> {
  return JSON.parse(inflateRawSync(Buffer.from(readState(dir).generated.packed, 'base64')).toString('utf8'));
}

/** Rewrites the state as an older tool version with this packed base would have left it. */
function writePackedBase(dir: string, files: Record<string, string>, toolVersion: string): void {
  const state = readState(dir);
  state.toolVersion = toolVersion;
  state.generated.sha256 = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, createHash('sha256').update(c).digest('hex')]));
  state.generated.packed = deflateRawSync(Buffer.from(JSON.stringify(files))).toString('base64');
  write(dir, '.create-pio-docker.json', `${JSON.stringify(state, null, 2)}\n`);
}

// update is the same for every preset: the user's edit in a generated file survives (diff3), and an
// answer flag changes what the preset renders.
const PRESET_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'presets');

function presetScaffold(id: string, name: string): string {
  const dir = tempProject({}, name);
  cpSync(join(PRESET_FIXTURES, id), dir, { recursive: true });
  const r = runCli(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(readState(dir).answers.toolchain, id);
  return dir;
}

/** A team's edits at both ends of a generated file, away from what an answer changes. */
function teamEdits(dir: string, f: string): void {
  const lines = read(dir, f).split('\n');
  lines.splice(1, 0, '# team: reviewed by ops');
  write(dir, f, `${lines.join('\n')}\n# team: keep this line\n`);
}

function assertTeamEdits(dir: string, f: string): void {
  const text = read(dir, f);
  assert.ok(text.includes('# team: reviewed by ops\n') && text.includes('# team: keep this line\n'), `${f} kept the team's edits`);
  assert.not.match(text, /^(<<<<<<<|>>>>>>>)/m, `${f} merged without conflict markers`);
}

test('update, go-deb: --system-packages is applied, the team edits in the Dockerfile and docs are kept', () => {
  const dir = presetScaffold('go-deb', 'hellofs');
  try {
    teamEdits(dir, 'Dockerfile');
    teamEdits(dir, 'docs/DOCKER.md');
    assert.not.match(read(dir, 'Dockerfile'), /libfuse3-dev/);
    const r = update(dir, '--system-packages', 'libfuse3-dev', '--yes');
    assert.is(r.code, 0, r.stderr + r.stdout);
    assert.match(read(dir, 'Dockerfile'), /^\s+libfuse3-dev \\$/m, 'the package is installed in the image');
    assert.equal(readState(dir).answers.presetAnswers.systemPackages, ['libfuse3-dev']);
    assertTeamEdits(dir, 'Dockerfile');
    assertTeamEdits(dir, 'docs/DOCKER.md');
    assert.is(update(dir, '--check').code, 0, 'up to date afterwards');
    // The stored answer holds: a plain update changes nothing.
    const before = snapshot(dir);
    assert.is(update(dir).code, 0);
    assert.equal(snapshot(dir), before);
  } finally {
    removeProject(dir);
  }
});

test('update, python-wheels: --python-versions is applied, the team edits in the Dockerfile and docs are kept', () => {
  const dir = presetScaffold('python-wheels', 'fastsum');
  try {
    teamEdits(dir, 'Dockerfile');
    teamEdits(dir, 'docs/DOCKER.md');
    const r = update(dir, '--python-versions', '3.11,3.12', '--yes');
    assert.is(r.code, 0, r.stderr + r.stdout);
    assert.equal(readState(dir).answers.presetAnswers.pythonVersions, ['3.11', '3.12']);
    assert.match(read(dir, 'Dockerfile'), /--python 3\.11,3\.12 /);
    const services = Object.keys(parse(read(dir, 'compose.build.yaml')).services).filter((s) => s.startsWith('test-cp'));
    assert.equal(services.sort(), ['test-cp311', 'test-cp312'], 'one clean-container test per version');
    assertTeamEdits(dir, 'Dockerfile');
    assertTeamEdits(dir, 'docs/DOCKER.md');
    assert.is(update(dir, '--check').code, 0, 'up to date afterwards');
    // A version requires-python (>=3.10) excludes is refused, nothing written.
    const before = snapshot(dir);
    const bad = update(dir, '--python-versions', '3.9');
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /excludes CPython 3\.9/);
    assert.equal(snapshot(dir), before);
  } finally {
    removeProject(dir);
  }
});

test.run();
