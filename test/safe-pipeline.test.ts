// The write path as an attacker or an unlucky user meets it: symlinks, planted state, closed
// pipes, a full disk, Ctrl-C, hostile state files. Every case runs the real built CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { applyChanges, ApplyError, type Change } from '../src/pipeline/apply.js';
import { BIN, ROOT, readState, removeProject, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { runInPty } from './helpers/pty.js';

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const write = (dir: string, f: string, content: string) => {
  mkdirSync(dirname(join(dir, f)), { recursive: true });
  writeFileSync(join(dir, f), content);
};
const noStack = (text: string) => assert.not.match(text, /^\s+at .+[:(]/m, `a stack trace reached the user:\n${text}`);

/** A folder outside the project with one file in it, to check nothing there changes. */
function outside(): { dir: string; file: string; before: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-outside-'));
  const file = join(dir, 'authorized_keys');
  writeFileSync(file, 'ssh-ed25519 AAAA the-owner\n');
  return { dir, file, before: readFileSync(file, 'utf8') };
}

function scaffolded(files: Record<string, string> = {}): string {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI, ...files });
  const r = runCli(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  return dir;
}

/** Temp and backup files the apply step makes beside its targets. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/\.cpd-\d+-[0-9a-f]+\.(tmp|old)$/.test(e.name)) out.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

// ---- symlinks ------------------------------------------------------------------------------

test('a generated path that is a symlink (to a file outside, or dangling) is never written through', () => {
  for (const dangling of [false, true]) {
    const out = outside();
    const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
    try {
      mkdirSync(join(dir, 'docs'));
      symlinkSync(dangling ? join(out.dir, 'nothing-here') : out.file, join(dir, 'docs/DOCKER.md'));
      const r = runCli(['--yes'], dir);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, /SYMLINK, not written +docs\/DOCKER\.md is a symlink/);
      noStack(r.stderr);
      assert.is(readFileSync(out.file, 'utf8'), out.before);
      assert.not.ok(existsSync(join(out.dir, 'nothing-here')));
      assert.equal([...snapshot(dir).keys()].sort(), ['docs/DOCKER.md', 'platformio.ini'], 'nothing written at all');
      // --force replaces the link itself, never what it points to.
      const forced = runCli(['--yes', '--force'], dir);
      assert.is(forced.code, 0, forced.stderr);
      assert.ok(lstatSync(join(dir, 'docs/DOCKER.md')).isFile());
      assert.is(readFileSync(out.file, 'utf8'), out.before);
      assert.not.ok(existsSync(join(out.dir, 'nothing-here')));
    } finally {
      removeProject(dir);
      rmSync(out.dir, { recursive: true, force: true });
    }
  }
});

test('a board value continued over lines (to inject lines into generated files) is refused, exit 2', () => {
  const out = outside();
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI.replace('board = uno', 'board = uno\n  ssh-ed25519 AAAA attacker') });
  try {
    mkdirSync(join(dir, 'docs'));
    symlinkSync(out.file, join(dir, 'docs/DOCKER.md'));
    for (const args of [['--yes'], ['--yes', '--force']]) {
      const r = runCli(args, dir);
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: env "uno": board "uno\\nssh-ed25519 AAAA attacker" has line breaks/);
      assert.is(readFileSync(out.file, 'utf8'), out.before);
      assert.equal([...snapshot(dir).keys()].sort(), ['docs/DOCKER.md', 'platformio.ini']);
    }
  } finally {
    removeProject(dir);
    rmSync(out.dir, { recursive: true, force: true });
  }
});

test('a symlinked folder on the way (docker/) blocks the run, even with --force', () => {
  const out = outside();
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    symlinkSync(out.dir, join(dir, 'docker'));
    for (const args of [['--yes'], ['--yes', '--force']]) {
      const r = runCli(args, dir);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, /BLOCKED +docker\/ is a symlink/);
      assert.equal(readdirSync(out.dir), ['authorized_keys']);
      assert.equal([...snapshot(dir).keys()].sort(), ['docker', 'platformio.ini']);
    }
  } finally {
    removeProject(dir);
    rmSync(out.dir, { recursive: true, force: true });
  }
});

test('update of a file replaced by a symlink: not written through, nothing written, exit 1', () => {
  const out = outside();
  const dir = scaffolded();
  try {
    rmSync(join(dir, 'Dockerfile'));
    symlinkSync(out.file, join(dir, 'Dockerfile'));
    write(dir, 'platformio.ini', `${TWO_ENVS_INI}\n[env:pico]\nplatform = raspberrypi\nboard = pico\n`);
    const before = snapshot(dir);
    const r = runCli(['update'], dir);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /Dockerfile is a symlink/);
    assert.is(readFileSync(out.file, 'utf8'), out.before);
    assert.equal(snapshot(dir), before);
  } finally {
    removeProject(dir);
    rmSync(out.dir, { recursive: true, force: true });
  }
});

test('the state file as a symlink is refused (exit 2), not read or written through', () => {
  const out = outside();
  const dir = scaffolded();
  try {
    rmSync(join(dir, '.create-pio-docker.json'));
    symlinkSync(out.file, join(dir, '.create-pio-docker.json'));
    for (const args of [['update'], ['--yes']]) {
      const r = runCli(args, dir);
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: \.create-pio-docker\.json is a symlink/);
      noStack(r.stderr);
      assert.is(readFileSync(out.file, 'utf8'), out.before);
    }
  } finally {
    removeProject(dir);
    rmSync(out.dir, { recursive: true, force: true });
  }
});

// ---- planted state ---------------------------------------------------------------------------

test('files planted in any state location are never deleted or read as a base', () => {
  const dir = scaffolded({ 'src/main.cpp': 'int main() {}\n' });
  try {
    // 0.1's base folder, planted with twins of the project's own files.
    for (const f of ['platformio.ini', 'src/main.cpp', '.git/HEAD']) {
      if (!existsSync(join(dir, f))) write(dir, f, 'ref: refs/heads/main\n');
      write(dir, `.create-pio-docker/base/${f}`, read(dir, f));
    }
    // A state from an "older tool" whose packed base claims those files too.
    const state = readState(dir);
    const planted = { 'platformio.ini': read(dir, 'platformio.ini'), 'src/main.cpp': read(dir, 'src/main.cpp') };
    state.toolVersion = '0.0.1';
    state.generated.sha256 = Object.fromEntries(Object.entries(planted).map(([p, c]) => [p, createHash('sha256').update(c).digest('hex')]));
    state.generated.packed = deflateRawSync(Buffer.from(JSON.stringify(planted))).toString('base64');
    write(dir, '.create-pio-docker.json', JSON.stringify(state));
    const r = runCli(['update'], dir);
    noStack(r.stderr);
    for (const f of ['platformio.ini', 'src/main.cpp', '.git/HEAD']) assert.ok(existsSync(join(dir, f)), `${f} must survive`);
    assert.match(r.stdout + r.stderr, /cannot be used \(unexpected entry platformio\.ini\)/);
    // No base to trust: a check never says "up to date" when files were edited.
    write(dir, 'Dockerfile', `${read(dir, 'Dockerfile')}# edit\n`);
    write(dir, '.create-pio-docker.json', JSON.stringify(state));
    const check = runCli(['update', '--check'], dir);
    assert.is(check.code, 1, check.stdout);
    assert.match(check.stdout, /IN THE WAY +Dockerfile/);
  } finally {
    removeProject(dir);
  }
});

test('a wrong-typed or broken state file: one line naming it, exit 2, nothing written', () => {
  const dir = scaffolded();
  try {
    for (const bad of ['{"format":1,"toolVersion":"0.2.0","answers":{"envs":"uno"}}', '[]', '{not json', '{"format":1,"toolVersion":"0.2.0","answers":null,"deselectedEnvs":[]}']) {
      write(dir, '.create-pio-docker.json', bad);
      const before = snapshot(dir);
      for (const args of [['update'], ['--yes'], ['verify']]) {
        const r = runCli(args, dir, { DOCKER_HOST: 'unix:///nonexistent' });
        assert.is(r.code, 2, `${args} ${bad}: ${r.stderr}`);
        assert.match(r.stderr, /^error: \.create-pio-docker\.json/);
        assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.equal(snapshot(dir), before);
      }
    }
  } finally {
    removeProject(dir);
  }
});

test('a folder where a generated file goes: one line, exit 1, nothing written', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI, 'Dockerfile/keep': 'x\n' });
  try {
    const r = runCli(['--yes', '--force'], dir);
    assert.is(r.code, 1);
    assert.match(r.stderr, /BLOCKED +Dockerfile is a folder where a file is needed/);
    noStack(r.stderr);
    assert.equal([...snapshot(dir).keys()].sort(), ['Dockerfile/keep', 'platformio.ini']);
  } finally {
    removeProject(dir);
  }
});

// ---- atomic writes -----------------------------------------------------------------------------

test('stdout closed at once (as `| head -1`), 10 times: every file complete, exit code kept', async () => {
  const ref = scaffolded();
  try {
    const expected = snapshot(ref);
    for (let i = 0; i < 10; i++) {
      const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
      try {
        const code = await new Promise<number>((resolve) => {
          const child = spawn(process.execPath, [BIN, '--yes'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.destroy();
          if (i % 2) child.stderr.destroy();
          child.on('close', (c) => resolve(c ?? -1));
        });
        assert.is(code, 0);
        assert.equal(snapshot(dir), expected, `run ${i}`);
      } finally {
        removeProject(dir);
      }
    }
  } finally {
    removeProject(ref);
  }
});

test('apply: a failure before or after some renames restores every file; no temp file left', () => {
  const dir = tempProject({ 'a.txt': 'old a\n', 'sub/b.txt': 'old b\n', 'gone.txt': 'bye\n' });
  try {
    const changes: Change[] = [
      { kind: 'write', path: 'a.txt', content: 'new a\n', executable: false, expect: 'old a\n' },
      { kind: 'delete', path: 'gone.txt', expect: 'bye\n' },
      { kind: 'write', path: 'new/dir/c.sh', content: '#!/bin/sh\n', executable: true, expect: null },
      { kind: 'write', path: 'sub/b.txt', content: 'new b\n', executable: false, expect: 'old b\n' },
    ];
    const before = snapshot(dir);
    for (const phase of ['temp', 'commit'] as const) {
      for (const at of ['new/dir/c.sh', 'sub/b.txt']) {
        assert.throws(() => applyChanges(dir, changes, { path: at, phase }), (e: Error) => e instanceof ApplyError && e.message === `${at}: no space left on the device`);
        assert.equal(snapshot(dir), before, `${phase} at ${at}`);
        assert.equal(leftovers(dir), []);
        assert.not.ok(existsSync(join(dir, 'new')), 'folders it made are removed');
      }
    }
    applyChanges(dir, changes);
    assert.is(read(dir, 'a.txt'), 'new a\n');
    assert.not.ok(existsSync(join(dir, 'gone.txt')));
    assert.is(lstatSync(join(dir, 'new/dir/c.sh')).mode & 0o777, 0o755);
    assert.equal(leftovers(dir), []);
    // A change planned against content that has changed since is refused, untouched.
    assert.throws(() => applyChanges(dir, [{ kind: 'delete', path: 'a.txt', expect: 'old a\n' }]), /changed since it was planned/);
    assert.is(read(dir, 'a.txt'), 'new a\n');
  } finally {
    removeProject(dir);
  }
});

/** A tmpfs of `kib` KiB at a new folder; null when this machine cannot mount one. */
function tmpfs(kib: number): string | null {
  const at = mkdtempSync(join(tmpdir(), 'cpd-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', at]);
  if (r.status !== 0) {
    rmSync(at, { recursive: true, force: true });
    return null;
  }
  return at;
}
const unmount = (at: string) => {
  spawnSync('umount', [at]);
  rmSync(at, { recursive: true, force: true });
};

test('disk full: scaffold and update fail with one line, every file as it was, no temp left', () => {
  const small = tmpfs(48);
  if (!small) {
    console.log('  (skipped: cannot mount a tmpfs here; needs root)');
    return;
  }
  try {
    const dir = join(small, 'fw');
    mkdirSync(dir);
    write(dir, 'platformio.ini', TWO_ENVS_INI);
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^error: .+: no space left on the device\nNothing was changed\.\n$/);
    assert.equal([...snapshot(dir).keys()], ['platformio.ini']);
    assert.equal(leftovers(dir), []);
  } finally {
    unmount(small);
  }
  const big = tmpfs(512);
  if (!big) return;
  try {
    const dir = join(big, 'fw');
    mkdirSync(dir);
    write(dir, 'platformio.ini', TWO_ENVS_INI);
    assert.is(runCli(['--yes'], dir).code, 0);
    // Fill the disk, then change the project so that update has a lot to write.
    spawnSync('sh', ['-c', `dd if=/dev/zero of=${join(big, 'filler')} bs=1k count=100000 2>/dev/null; true`]);
    write(dir, 'platformio.ini', TWO_ENVS_INI + Array.from({ length: 40 }, (_, i) => `\n[env:board${i}]\nplatform = espressif32\nboard = esp32dev\n`).join(''));
    const before = snapshot(dir);
    const r = runCli(['update'], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /no space left on the device\nNothing was changed\./);
    noStack(r.stderr);
    assert.equal(snapshot(dir), before);
    assert.equal(leftovers(dir), []);
  } finally {
    unmount(big);
  }
});

// ---- terminal: cancel and re-run ---------------------------------------------------------------

test('Ctrl-C at a prompt: "Cancelled: nothing written", exit 130, no stack', async () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const r = await runInPty([], dir, [{ when: /Envs to build/, send: '\x03' }]);
    assert.equal(r.unmet, [], r.output);
    assert.is(r.code, 130, r.output);
    assert.match(r.output, /Cancelled: nothing written\./);
    noStack(r.output);
    assert.equal([...snapshot(dir).keys()], ['platformio.ini']);
  } finally {
    removeProject(dir);
  }
});

test('Ctrl-C at the prompt for a file in the way: nothing written, exit 130', async () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI, Dockerfile: 'FROM scratch\n' });
  try {
    const r = await runInPty(['--yes'], dir, [{ when: /Dockerfile exists and differs/, send: '\x03' }]);
    assert.equal(r.unmet, [], r.output);
    assert.is(r.code, 130, r.output);
    assert.match(r.output, /Cancelled: nothing written\./);
    assert.equal([...snapshot(dir).keys()].sort(), ['Dockerfile', 'platformio.ini']);
    assert.is(read(dir, 'Dockerfile'), 'FROM scratch\n');
    // Choosing "keep mine" writes everything else and leaves it.
    const keep = await runInPty(['--yes'], dir, [{ when: /Dockerfile exists and differs/, send: '\r' }]);
    assert.is(keep.code, 0, keep.output);
    assert.is(read(dir, 'Dockerfile'), 'FROM scratch\n');
    assert.ok(existsSync(join(dir, 'compose.build.yaml')));
  } finally {
    removeProject(dir);
  }
});

test('Ctrl-C at migrate\'s confirmation: nothing changed, exit 130', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-migrate-cancel-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/migrate/base-overrides'), dir, { recursive: true });
    const before = snapshot(dir);
    const r = await runInPty(['migrate'], dir, [{ when: /Write the new files\?/, send: '\x03' }]);
    assert.equal(r.unmet, [], r.output);
    assert.is(r.code, 130, r.output);
    assert.match(r.output, /Cancelled: nothing written\./);
    noStack(r.output);
    assert.equal(snapshot(dir), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a same-answers re-run in a terminal asks nothing and changes no byte', async () => {
  const dir = scaffolded();
  try {
    const before = snapshot(dir);
    const r = await runInPty([], dir);
    assert.is(r.code, 0, r.output);
    assert.not.match(r.output, /\?/, `asked something:\n${r.output}`);
    assert.match(r.output, /Nothing changed\./);
    assert.equal(snapshot(dir), before);
  } finally {
    removeProject(dir);
  }
});

test('a prompt validates as strictly as its flag: UID 0 is asked again, at the prompt', async () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const flags = ['--envs', 'uno', '--base-image', 'b:1', '--platformio-version', '6.1.18', '--user', 'builder', '--gid', '1000', '--tools', 'none', '--runners', 'none', '--image', 'x-pio', '--registry', 'none', '--platforms', 'linux/amd64', '--ci', 'github', '--devcontainer', 'yes', '--serial', 'none'];
    const r = await runInPty(flags, dir, [{ when: /default UID/, send: '0\r' }, { when: /UID must be a whole number from 1/, send: '\x7f\x7f2000\r' }]);
    assert.equal(r.unmet, [], r.output);
    assert.is(r.code, 0, r.output);
    assert.equal(readState(dir).answers.user, { name: 'builder', uid: 2000, gid: 1000 });
  } finally {
    removeProject(dir);
  }
});

// ---- env selection and answers -----------------------------------------------------------------

test('a deselected env stays out across updates; a new env comes in and is reported', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes', '--envs', 'uno'], dir).code, 0);
    assert.equal(readState(dir).deselectedEnvs, ['esp32dev']);
    for (let i = 0; i < 2; i++) {
      const r = runCli(['update'], dir);
      assert.is(r.code, 0, r.stderr);
      assert.not.match(r.stdout, /env added/);
      assert.not.match(read(dir, 'compose.build.yaml'), /esp32dev/);
    }
    write(dir, 'platformio.ini', `${TWO_ENVS_INI}\n[env:pico]\nplatform = raspberrypi\nboard = pico\n`);
    const r = runCli(['update'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /env added: pico/);
    assert.match(read(dir, 'compose.build.yaml'), /pico/);
    assert.not.match(read(dir, 'compose.build.yaml'), /esp32dev/);
  } finally {
    removeProject(dir);
  }
});

test('update --tools cppcheck on an edited repo keeps the edit and adds the tool', () => {
  const dir = scaffolded();
  try {
    write(dir, 'Dockerfile', read(dir, 'Dockerfile').replace('FROM dev AS builder\n', 'FROM dev AS builder\nENV TEAM=1\n'));
    const r = runCli(['update', '--tools', 'cppcheck'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /merged +Dockerfile/);
    const dockerfile = read(dir, 'Dockerfile');
    assert.match(dockerfile, /ENV TEAM=1\n/);
    assert.match(dockerfile, /cppcheck/);
    assert.equal(readState(dir).answers.tools, ['cppcheck']);
  } finally {
    removeProject(dir);
  }
});

test('0.1 state (.yo-rc.json + base folder) is carried over and cleaned up; other keys kept', () => {
  const dir = scaffolded();
  try {
    const state = readState(dir);
    write(dir, '.yo-rc.json', JSON.stringify({ 'other-generator': { x: 1 }, 'create-pio-docker': { answers: state.answers, toolVersion: '0.1.0' } }));
    for (const f of Object.keys(state.generated.sha256)) write(dir, `.create-pio-docker/base/${f}`, read(dir, f));
    rmSync(join(dir, '.create-pio-docker.json'));
    write(dir, 'Dockerfile', read(dir, 'Dockerfile').replace('FROM dev AS builder\n', 'FROM dev AS builder\nENV TEAM=1\n'));
    const r = runCli(['update', '--tools', 'cppcheck'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(read(dir, 'Dockerfile'), /ENV TEAM=1\n[^]*cppcheck|cppcheck[^]*ENV TEAM=1\n/);
    assert.equal(JSON.parse(read(dir, '.yo-rc.json')), { 'other-generator': { x: 1 } });
    assert.not.ok(existsSync(join(dir, '.create-pio-docker/base/Dockerfile')));
    assert.match(r.stdout, /moved into +\.create-pio-docker\.json/);
    assert.ok(existsSync(join(dir, '.create-pio-docker.json')));
  } finally {
    removeProject(dir);
  }
});

test('a read-only project folder: one line, exit 1, no stack', () => {
  if (process.getuid?.() === 0) {
    // root ignores mode bits: use a read-only bind of a tmpfs instead.
    const ro = tmpfs(256);
    if (!ro) {
      console.log('  (skipped: cannot mount a tmpfs here)');
      return;
    }
    try {
      write(ro, 'platformio.ini', TWO_ENVS_INI);
      spawnSync('mount', ['-o', 'remount,ro', ro]);
      const r = runCli(['--yes'], ro);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, /read-only file system/);
      noStack(r.stderr);
    } finally {
      unmount(ro);
    }
    return;
  }
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    chmodSync(dir, 0o555);
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 1, r.stderr);
    noStack(r.stderr);
  } finally {
    chmodSync(dir, 0o755);
    removeProject(dir);
  }
});

test.run();
