// Hostile input files never hang the CLI, exhaust its memory, leak other files' content or drive
// the terminal: every case runs the real built CLI with a 5 s limit and expects either a normal
// result or one clear `error:` line (exit 2) naming the file, never a stack trace.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, removeProject, tempProject } from './helpers/cli.js';

const LIMIT_MS = 5000;
const ESC = '\x1b';
const SECRET = 'hunter2-xyz';
const dirs: string[] = [];

function project(files: Record<string, string>): string {
  const dir = tempProject(files);
  dirs.push(dir);
  return dir;
}

test.after(() => dirs.forEach(removeProject));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI with a hard 5 s limit: running out of time fails the test. */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    timeout: LIMIT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Date.now() - started;
  const err = r.error as NodeJS.ErrnoException | undefined;
  assert.ok(err?.code !== 'ETIMEDOUT' && r.signal === null && ms < LIMIT_MS, `create-pio-docker ${args.join(' ')} did not finish within ${LIMIT_MS} ms (${ms} ms, ${err?.code ?? r.signal ?? 'done'})`);
  assert.ok(!err, `spawn failed: ${err?.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2 with exactly one `error:` line that names the file, no stack trace, no raw escape. */
function oneError(r: Run, names: RegExp): string {
  assert.is(r.code, 2, `exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('error: '));
  assert.is(errors.length, 1, `one error: line expected, got:\n${r.stderr.slice(0, 2000)}`);
  assert.not.match(r.stderr, /^\s+at /m, 'a stack trace');
  assert.not.match(r.stderr, /unexpected error/);
  assert.not.ok(r.stderr.includes(ESC), 'a raw ESC on stderr');
  assert.match(errors[0], names);
  return errors[0];
}

const ini = (...lines: string[]) => `${lines.join('\n')}\n`;
const SPACES = ' '.repeat(300 * 1024);

// ---- long lines: no regex backtracks on them --------------------------------------------------

test('long line: 300 KB of spaces inside a value and a whitespace-only line (envs, envs --json, scaffold --yes)', () => {
  const dir = project({ 'platformio.ini': ini('[env:a]', 'platform = atmelavr', `board = uno${SPACES}x`, SPACES, 'framework = arduino') });
  const json = run(['envs', dir, '--json'], dir);
  assert.is(json.code, 0, json.stderr);
  assert.is(JSON.parse(json.stdout).env.a.board, `uno${SPACES}x`);
  const table = run(['envs', dir], dir);
  assert.is(table.code, 0, table.stderr);
  assert.match(table.stdout, /^a\s+uno\s+x\s+atmelavr\s+arduino/m);
  const scaffold = run(['--yes'], dir);
  assert.not.match(scaffold.stderr, /^\s+at /m);
});

test('long line: 300 KB of spaces between two words (no "=") is one error line, quoted briefly', () => {
  const dir = project({ 'platformio.ini': ini('[env:a]', 'board = uno', `x${SPACES}y`) });
  for (const args of [['envs', dir, '--json'], ['envs', dir]]) {
    const line = oneError(run(args, dir), /platformio\.ini:3: expected "name = value"/);
    assert.ok(line.length < 1000, `the error line is ${line.length} characters long`);
  }
});

test('long line: a list item with 300 KB of spaces before a ";" (inline-comment stripping)', () => {
  const dir = project({ 'platformio.ini': ini('[env:a]', 'board = uno', `framework = arduino${SPACES}x;y`) });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).env.a.framework, [`arduino${SPACES}x;y`]);
});

test('long line: "${" repeated 150 K times after a "}" (${section.option} references)', () => {
  const value = `}${'${'.repeat(150 * 1024)}`;
  const dir = project({ 'platformio.ini': ini('[env:a]', `board = ${value}`) });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).env.a.board, value);
});

test('long line: extra_configs with 300 K slashes in a pattern', () => {
  const dir = project({ 'platformio.ini': ini('[platformio]', `extra_configs = a${'/'.repeat(300 * 1024)}b/*.ini`, '[env:a]', 'board = uno') });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).envs, ['a']);
});

test('long line: extra_configs = *a*a*a...*b against a file named aaa...a (wildcards without backtracking)', () => {
  const dir = project({ 'platformio.ini': ini('[platformio]', `extra_configs = ${'*a'.repeat(16)}*b`, '[env:a]', 'board = uno'), [`${'a'.repeat(200)}.ini`]: '[env:b]\n' });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).envs, ['a']);
});

// ---- values that expand without bound ---------------------------------------------------------

test('expansion: ${} references doubling 40 times: empty ones finish at once, growing ones stop with an error', () => {
  const chain = (base: string) => ['[c]', `x0 = ${base}`, ...Array.from({ length: 40 }, (_, i) => `x${i + 1} = \${c.x${i}}\${c.x${i}}`)];
  const empty = project({ 'platformio.ini': ini('[env:a]', 'board = uno${c.x40}', ...chain('')) });
  const r = run(['envs', empty, '--json'], empty);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).env.a.board, 'uno');
  const growing = project({ 'platformio.ini': ini('[env:a]', 'board = ${c.x40}', ...chain('ab')) });
  oneError(run(['envs', growing, '--json'], growing), /platformio\.ini:\d+: .*grows past \d+ characters/);
});

test('expansion: extends diamonds 40 deep (a extends b, b; b extends c, c; ...) resolve at once', () => {
  const levels = Array.from({ length: 40 }, (_, i) => `[s${i}]\nextends = s${i + 1}, s${i + 1}`);
  const dir = project({ 'platformio.ini': ini('[env:a]', 'extends = s0', ...levels, '[s40]', 'board = deep') });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).env.a.board, 'deep');
});

test('expansion: ${} references nested 5000 deep and extends chains 5000 long are one error line', () => {
  const refs = project({ 'platformio.ini': ini('[env:a]', 'board = ${c.x5000}', '[c]', 'x0 = uno', ...Array.from({ length: 5000 }, (_, i) => `x${i + 1} = \${c.x${i}}`)) });
  oneError(run(['envs', refs, '--json'], refs), /platformio\.ini:\d+: .*nested more than \d+ deep/);
  const ext = project({ 'platformio.ini': ini('[env:a]', 'extends = s0', ...Array.from({ length: 5000 }, (_, i) => `[s${i}]\nextends = s${i + 1}`), '[s5000]', 'board = uno') });
  oneError(run(['envs', ext, '--json'], ext), /platformio\.ini:\d+: extends chain longer than \d+/);
});

test('expansion: %(name)s 20 K times over a value with 20 K of them is null plus a warning', () => {
  const dir = project({ 'platformio.ini': ini('[env:a]', `board = ${'%(x)s'.repeat(20000)}`, `x = ${'%(y)s'.repeat(20000)}`, 'y = ') });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).env.a.board, null);
  assert.match(r.stderr, /^warning: .*platformio\.ini:2: \[env:a\] board: value cannot be resolved/);
});

test('expansion: 40 K envs with 40 K [DEFAULT] options are listed in time', () => {
  const lines = ['[DEFAULT]', ...Array.from({ length: 40000 }, (_, i) => `o${i} = 1`), '[platformio]', `default_envs = ${Array.from({ length: 40000 }, (_, i) => `e${i}`).join(', ')}`];
  for (let i = 0; i < 40000; i++) lines.push(`[env:e${i}]`);
  const dir = project({ 'platformio.ini': ini(...lines) });
  const r = run(['envs', dir, '--json'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).envs.length, 40000);
  assert.is(run(['envs', dir], dir).code, 0);
});

// ---- files that are not config files ------------------------------------------------------------

test('extra_configs: a FIFO is refused, not waited on (envs --json, envs, scaffold --yes)', () => {
  const dir = project({ 'platformio.ini': ini('[platformio]', 'extra_configs = pipe.ini', '[env:a]', 'board = uno') });
  execFileSync('mkfifo', [join(dir, 'pipe.ini')]);
  for (const args of [['envs', dir, '--json'], ['envs', dir], ['--yes']]) {
    oneError(run(args, dir), /pipe\.ini: not a regular file \(a FIFO\)/);
  }
});

/** Exit 0 with exactly one `warning:` line: the include outside the repository, named, not read. */
function skippedOutside(r: Run, file: RegExp): void {
  assert.is(r.code, 0, r.stderr.slice(0, 2000));
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, 1, r.stderr.slice(0, 2000));
  assert.match(lines[0], /^warning: .*platformio\.ini:2: \[platformio\] extra_configs: /);
  assert.match(lines[0], file);
  assert.match(lines[0], /is outside the repository: not read/);
}

test('extra_configs: /dev/zero is outside the repository: not read, one warning (envs --json, envs, scaffold --yes)', () => {
  const dir = project({ 'platformio.ini': ini('[platformio]', 'extra_configs = /dev/zero', '[env:uno]', 'board = uno') });
  for (const args of [['envs', dir, '--json'], ['envs', dir]]) skippedOutside(run(args, dir), /\/dev\/zero is outside/);
  const r = run(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /\/dev\/zero is outside the repository/);
});

test('extra_configs: /proc/self/environ is not read (no secret from the environment in the output)', () => {
  const dir = project({ 'platformio.ini': ini('[platformio]', 'extra_configs = /proc/self/environ', '[env:a]', 'board = uno') });
  for (const args of [['envs', dir, '--json'], ['envs', dir]]) {
    const r = run(args, dir, { CPD_SECRET_TOKEN: SECRET });
    assert.not.ok(r.stdout.includes(SECRET) || r.stderr.includes(SECRET), `the secret was printed:\n${r.stderr.slice(0, 500)}`);
    skippedOutside(r, /\/proc\/self\/environ is outside/);
  }
});

test('extra_configs: a symlink inside the project to a file outside it is not read either', () => {
  const outside = mkdtempSync(join(tmpdir(), 'cpd-outside-'));
  dirs.push(join(outside, 'x'));
  writeFileSync(join(outside, 'secret.txt'), `TOKEN=${SECRET}\n`);
  const dir = project({ 'platformio.ini': ini('[platformio]', 'extra_configs = inc.ini', '[env:a]', 'board = uno') });
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'inc.ini'));
  const r = run(['envs', dir, '--json'], dir);
  assert.not.ok(r.stderr.includes(SECRET) || r.stdout.includes(SECRET), r.stderr);
  skippedOutside(r, /inc\.ini is outside/);
});

test('extra_configs outside the repository: a ${section.option} value from it never reaches the generated files or the state', () => {
  const outside = mkdtempSync(join(tmpdir(), 'cpd-outside-'));
  dirs.push(join(outside, 'x'));
  writeFileSync(join(outside, 'secrets.ini'), `[pypi]\npassword = ${SECRET}\n\n[env:leak]\nboard = ${SECRET}\n`);
  const dir = project({ 'platformio.ini': ini('[platformio]', `extra_configs = ${join(outside, 'secrets.ini')}`, '[env:ea]', 'platform = atmelavr', 'board = ${pypi.password}', '[env:eb]', 'platform = atmelavr', 'board = uno') });
  const r = run(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(r.stdout.includes(SECRET) || r.stderr.includes(SECRET), r.stderr);
  const grep = spawnSync('grep', ['-rl', SECRET, dir], { encoding: 'utf8' });
  assert.is(grep.stdout, '', `the value was written into: ${grep.stdout}`);
  assert.match(r.stderr, /secrets\.ini is outside the repository: not read/);
  // Inside the repository the same include is read, as PlatformIO reads it.
  writeFileSync(join(dir, 'shared.ini'), '[env:ec]\nplatform = atmelavr\nboard = nano\n');
  writeFileSync(join(dir, 'platformio.ini'), ini('[platformio]', 'extra_configs = shared.ini', '[env:eb]', 'platform = atmelavr', 'board = uno'));
  const envs = JSON.parse(run(['envs', '--json'], dir).stdout);
  assert.equal(envs.envs, ['eb', 'ec']);
});

test('platformio.ini over 4 MiB is refused', () => {
  const dir = project({ 'platformio.ini': `[env:a]\nboard = uno\n${`; ${'x'.repeat(1022)}\n`.repeat(5 * 1024)}` });
  oneError(run(['envs', dir, '--json'], dir), /platformio\.ini: 5\.\d MiB, more than the 4 MiB this tool reads/);
});

test('extra_configs: ** through a symlink loop (dir/loop -> ..) stops with an error naming the option', () => {
  const dir = project({ 'platformio.ini': ini('[platformio]', 'extra_configs = **/*.ini', '[env:a]', 'board = uno'), 'dir/inc.ini': '[env:b]\nboard = nano\n' });
  symlinkSync('..', join(dir, 'dir', 'loop'));
  symlinkSync('..', join(dir, 'dir', 'loop2'));
  for (const args of [['envs', dir, '--json'], ['envs', dir]]) {
    oneError(run(args, dir), /platformio\.ini:2: \[platformio\] extra_configs: "\*\*\/\*\.ini" runs into a symlink loop: dir\/loop/);
  }
});

test('extra_configs: more than 256 files is one error line naming the option and the limit', () => {
  const files: Record<string, string> = { 'platformio.ini': ini('[platformio]', 'extra_configs = inc/*.ini', '[env:a]', 'board = uno') };
  for (let i = 0; i < 300; i++) files[`inc/${i}.ini`] = `[common${i}]\nx = ${i}\n`;
  const dir = project(files);
  oneError(run(['envs', dir, '--json'], dir), /platformio\.ini:2: \[platformio\] extra_configs pulls in more than 256 files/);
});

// ---- terminal escape sequences ------------------------------------------------------------------

test('escape sequences: board, env name and warnings are escaped in the table and on stderr, exact in JSON', () => {
  const board = `evil${ESC}]0;pwned\x07${ESC}[2J`;
  const dir = project({ 'platformio.ini': ini('[env:a]', `board = ${board}`, `platform = \${gone${ESC}[2J.platform}`, `[env:x${ESC}[31m]`, 'board = uno') });
  const json = run(['envs', dir, '--json'], dir);
  assert.is(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.is(report.env.a.board, board);
  assert.equal(report.envs, ['a', `x${ESC}[31m`]);
  assert.not.ok(json.stderr.includes(ESC), `raw ESC in a warning: ${JSON.stringify(json.stderr)}`);
  assert.match(json.stderr, /^warning: .*\\x1b\[2J/m);
  const table = run(['envs', dir], dir);
  assert.is(table.code, 0, table.stderr);
  assert.not.ok(table.stdout.includes(ESC) || table.stdout.includes('\x07'), `raw control characters in the table: ${JSON.stringify(table.stdout)}`);
  assert.ok(table.stdout.includes('evil\\x1b]0;pwned\\x07\\x1b[2J'), table.stdout);
  assert.not.ok(table.stderr.includes(ESC));
  // the scaffold prints the same warnings (env names there must be valid profile names), and
  // refuses a board with control characters: it would end up in generated files
  const scaffoldDir = project({ 'platformio.ini': ini('[env:ab]', 'platform = atmelavr', `board = ${board}`, '[env:cd]', 'board = uno', `platform = \${gone${ESC}[2J.platform}`) });
  const scaffold = run(['--yes'], scaffoldDir);
  assert.is(scaffold.code, 2, scaffold.stderr);
  assert.match(scaffold.stderr, /^warning: .*\\x1b\[2J/m);
  assert.match(scaffold.stderr, /^error: env "ab": board "evil\\u001b\]0;pwned\\u0007\\u001b\[2J" has line breaks or control characters/m);
  assert.not.ok(scaffold.stdout.includes(ESC) || scaffold.stderr.includes(ESC), `raw ESC from the scaffold: ${JSON.stringify(scaffold.stderr)}`);
  const fine = project({ 'platformio.ini': ini('[env:ab]', 'platform = atmelavr', 'board = uno', '[env:cd]', 'board = uno', `platform = \${gone${ESC}[2J.platform}`) });
  const ok = run(['--yes'], fine);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /^warning: .*\\x1b\[2J/m);
  assert.not.ok(ok.stdout.includes(ESC) || ok.stderr.includes(ESC));
});

test('escape sequences: an error quoting a long line of platformio.ini escapes it and cuts it short', () => {
  const dir = project({ 'platformio.ini': ini('[env:a]', 'board = uno', `[env:b${ESC}[2J\x07${'x'.repeat(300 * 1024)}`) });
  const line = oneError(run(['envs', dir], dir), /platformio\.ini:3: unclosed section header: \[env:b\\x1b\[2J\\x07x+\.\.\. \(\d+ characters\)$/);
  assert.not.ok(line.includes('\x07'));
  assert.ok(line.length < 1000, `the error line is ${line.length} characters long`);
});

// ---- migrate ------------------------------------------------------------------------------------

const BOMB = [
  'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => `x-${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`),
  'services:',
  '  app:',
  '    image: alpine',
  '    labels: *i',
  '',
].join('\n');

test('migrate: a YAML alias bomb is one error line naming the file, exit 2', () => {
  const dir = project({ 'docker-compose.yml': BOMB, 'docker-compose.dev.yml': 'services:\n  app:\n    command: sh\n' });
  const line = oneError(run(['migrate', dir, '--dry-run'], dir), /docker-compose\.yml: .*alias/);
  assert.not.match(line, /ReferenceError/);
});

test('migrate: a compose file that is a symlink to a file outside the project is not read', () => {
  const outside = mkdtempSync(join(tmpdir(), 'cpd-outside-'));
  dirs.push(join(outside, 'x'));
  writeFileSync(join(outside, 'c.yml'), `services:\n  leak:\n    image: ${SECRET}\n`);
  const dir = project({ 'docker-compose.yml': 'services:\n  app:\n    image: alpine\n' });
  symlinkSync(join(outside, 'c.yml'), join(dir, 'docker-compose.dev.yml'));
  const r = run(['migrate', dir, '--dry-run'], dir);
  assert.not.ok(r.stdout.includes(SECRET) || r.stderr.includes(SECRET));
  oneError(r, /docker-compose\.dev\.yml: a symlink to a file outside the project folder; refusing to read it/);
});

test('migrate: a FIFO as .env is refused, not waited on', () => {
  const dir = project({ 'docker-compose.yml': 'services:\n  app:\n    image: alpine\n', 'docker-compose.dev.yml': 'services:\n  app:\n    command: sh\n' });
  execFileSync('mkfifo', [join(dir, '.env')]);
  oneError(run(['migrate', dir, '--dry-run'], dir), /\.env: not a regular file \(a FIFO\)/);
});

test('migrate: a 300 KB line of "{{a|" (template check) is read in time', () => {
  const dir = project({ 'docker-compose.yml': `services:\n  app:\n    image: alpine\n    labels:\n      note: "${'{{a|'.repeat(75 * 1024)}"\n` });
  const r = run(['migrate', dir, '--dry-run'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nothing to migrate/);
});

test('migrate: YAML nested 300 K deep is one error line, at once', () => {
  const dir = project({ 'docker-compose.yml': `services:\n  app:\n    image: alpine\n    labels: ${'['.repeat(300000)}${']'.repeat(300000)}\n` });
  oneError(run(['migrate', dir, '--dry-run'], dir), /docker-compose\.yml: \[ \] \/ \{ \} nested more than 1000 deep/);
});

test('migrate: 30 K keys in one map are read in time, and a duplicate among them is found', () => {
  const keys = Array.from({ length: 30000 }, (_, i) => `      k${i}: v`);
  const dir = project({ 'docker-compose.yml': `services:\n  app:\n    image: alpine\n    labels:\n${keys.join('\n')}\n` });
  const r = run(['migrate', dir, '--dry-run'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nothing to migrate/);
  const dup = project({ 'docker-compose.yml': `services:\n  app:\n    image: alpine\n    labels:\n${keys.join('\n')}\n      k7: again\n` });
  oneError(run(['migrate', dup, '--dry-run'], dup), /docker-compose\.yml: invalid YAML: Map keys must be unique at line 30005, column 7/);
});

test.run();
