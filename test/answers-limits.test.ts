// Free-text answers are bounded and checked the same way as flags, stored answers and prompts, and
// every refusal is one line that shows what a valid answer looks like (never the whole bad value,
// never a raw line break).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECKS, defaultAnswers, MAX_LENGTH, projectSlug } from '../src/core/answers.js';
import { Asker, type AskContext } from '../src/capabilities/questions.js';
import { VERSIONS } from '../src/core/versions.js';
import { readState, removeProject, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';
import { runInPty } from './helpers/pty.js';

const dirs: string[] = [];
test.after(() => dirs.forEach(removeProject));
const project = (files: Record<string, string> = { 'platformio.ini': TWO_ENVS_INI }, name?: string) => {
  const dir = tempProject(files, name);
  dirs.push(dir);
  return dir;
};

/** Exit 2, nothing written, and exactly one `error:` line matching `re` (plus --help's hint for a flag's syntax). */
function refused(args: string[], re: RegExp, dir = project()): string {
  const before = snapshot(dir);
  const r = runCli(args, dir);
  assert.is(r.code, 2, `${args.join(' ').slice(0, 200)}: exit ${r.code}\n${r.stderr.slice(0, 500)}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('error: '));
  assert.is(errors.length, 1, r.stderr.slice(0, 500));
  assert.ok(lines.every((l) => l.startsWith('error: ') || l === 'Run create-pio-docker --help for usage.'), r.stderr.slice(0, 500));
  assert.ok(r.stderr.length < 600, `${r.stderr.length} characters of error`);
  assert.match(errors[0], re);
  assert.equal(snapshot(dir), before);
  return errors[0];
}

test('--project-name: 300 characters, not a Docker image name, or a line break are one line each with an example', () => {
  refused(['--yes', '--project-name', 'a'.repeat(300)], /project name "a{60}…" \(300 characters\) is longer than 40 characters/);
  for (const bad of ['p.', 'a..b', 'x_-y', '-x', 'Sensor', 'a b', 'x\ny']) refused(['--yes', `--project-name=${bad}`], /invalid project name ".*": lowercase letters and digits with one \. _ or - between them .*e\.g\. sensor-hub/);
  // A value that looks like an option: parseArgs' three-line explanation, as one line.
  refused(['--yes', '--project-name', '-x'], /argument is ambiguous\. Did you forget .* use '--project-name=-XYZ'\.$/);
  // Names Docker takes: one letter, digits first, dots, double underscores.
  for (const good of ['p', '1x', '9', 'a.b', 'a__b', 'a---b']) {
    const dir = project();
    const r = runCli(['--yes', '--project-name', good], dir);
    assert.is(r.code, 0, `${good}: ${r.stderr}`);
    assert.is(readState(dir).answers.projectName, good);
    assert.is(readState(dir).answers.image.name, `${good}-pio`);
  }
});

test('the default project name from the folder name is always a valid one, at most 40 characters', () => {
  assert.is(projectSlug('My.Project.'), 'my.project');
  assert.is(projectSlug('a._b'), 'a-b');
  assert.is(projectSlug('__x__'), 'x');
  assert.is(projectSlug('x'.repeat(50)), 'x'.repeat(MAX_LENGTH.projectName));
  assert.is(projectSlug(`${'x'.repeat(39)}-y`), 'x'.repeat(39));
  for (const name of ['Ünïcode Board', 'a..b', '...', 'fw_-_v2', `long${'-name'.repeat(20)}`]) {
    const slug = defaultAnswers(name, []).projectName;
    assert.is(CHECKS['project-name'](slug), null, `${name} -> ${slug}`);
  }
  const dir = project({ 'platformio.ini': TWO_ENVS_INI }, `Fw.${'Long'.repeat(20)}.`);
  const r = runCli(['--yes'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(readState(dir).answers.projectName, `fw.${'long'.repeat(20)}`.slice(0, 40));
});

test('--maintainer: 100 KB or a line break is one short line; a valid one is shown', () => {
  const go = { 'go.mod': 'module example.com/x\n\ngo 1.19\n', 'main.go': 'package main\n\nfunc main() {}\n' };
  refused(['--yes', '--preset', 'go-deb', '--maintainer', `${'x'.repeat(100 * 1024)} <a@b.org>`], /maintainer "x{60}…" \(102410 characters\) is longer than 200 characters$/, project(go));
  refused(['--yes', '--preset', 'go-deb', '--maintainer', 'Jane\nDoe <jane@example.org>'], /invalid maintainer "Jane\\nDoe <jane@example\.org>": one line, Name <email>, e\.g\. Jane Doe <jane@example\.org>/, project(go));
  refused(['--yes', '--preset', 'go-deb', '--system-packages', `lib${'x'.repeat(200)}`], /invalid Debian package name "libx{57}…" \(203 characters\): .*e\.g\. libfuse3-dev/, project(go));
});

test('issue 21 item 8: the PlatformIO version and base image errors show a valid answer', () => {
  refused(['--yes', '--platformio-version', 'latest'], new RegExp(`invalid PlatformIO version "latest": use a release number such as ${VERSIONS.platformio.replace(/\./g, '\\.')}`));
  refused(['--yes', '--base-image', 'Bad Image!!'], /invalid base image "Bad Image!!": use an image reference such as python:3\.12-slim-bookworm or registry\.example\.com\/mirror\/python:3\.12-slim-bookworm/);
  refused(['--yes', '--base-image', `python:${'1'.repeat(500)}`], /base image "python:1{53}…" \(507 characters\) is longer than 400 characters/);
  refused(['--yes', '--uid', 'abc'], /--uid takes a whole number \(digits only, e\.g\. 1000\), not "abc"/);
  refused(['--yes', '--uid', '0'], /UID must be a whole number from 1 to 2147483647 \(0 is root, which is not allowed\), e\.g\. 1000/);
  refused(['--yes', '--image', 'Acme/FW'], /invalid image name "Acme\/FW": .*e\.g\. acme\/firmware-build/);
  refused(['--yes', '--image', 'a/'.repeat(90) + 'b', '--registry', `r${'x'.repeat(90)}.example.org`], /image "rx{59}…" \(285 characters\) is longer than the 255 characters Docker takes for a name, registry included/);
  refused(['--yes', '--runner-labels', 'x'.repeat(65)], /runner label "x{60}…" \(65 characters\) is longer than 64 characters/);
  refused(['--yes', '--ci', 'gitlab\x1b[2J'], /--ci takes github or none, not "gitlab\\x1b\[2J"/);
});

test('a prompt checks as its flag does, and a number prompt says what is valid (not "You must provide a valid numeric value")', () => {
  const ctx: AskContext = { flags: {}, project: { name: 'demo', envs: null }, yes: false, interactive: true, prompt: async () => undefined };
  const asker = new Asker(ctx);
  for (const flag of ['uid', 'gid', 'dev-runners', 'prod-runners']) {
    const q = asker.question(flag, 1000, { type: 'input', message: 'n' }, (raw) => (/^\s*[0-9]+\s*$/.test(String(raw)) ? Number(raw) : Number.NaN));
    assert.is(q.default, '1000');
    for (const bad of ['abc', '1e3', '', '-1']) assert.match(String(q.validate!(bad)), /must be a whole number from [01] to \d+.*e\.g\. \d+/, `${flag} ${bad}`);
    assert.is(q.validate!('5'), true);
  }
  const name = asker.question('project-name', 'x', { type: 'input', message: 'n' }, String);
  assert.is(name.validate!('a'.repeat(41)), CHECKS['project-name']('a'.repeat(41)));
});

test('at a terminal: "abc" and "0" for the UID are answered with what is valid, then 2000 is taken', async () => {
  const dir = project();
  const flags = ['--envs', 'uno', '--base-image', 'b:1', '--platformio-version', '6.1.18', '--user', 'builder', '--gid', '1000', '--tools', 'none', '--runners', 'none', '--image', 'x-pio', '--registry', 'none', '--platforms', 'linux/amd64', '--ci', 'github', '--devcontainer', 'yes', '--serial', 'none'];
  const r = await runInPty(flags, dir, [
    { when: /default UID/, send: '\x15abc\r' },
    { when: /UID must be a whole number from 1 to 2147483647/, send: '\x15\x7f\x7f\x7f\x7f2000\r' },
  ]);
  assert.equal(r.unmet, [], r.output);
  assert.is(r.code, 0, r.output);
  assert.not.match(r.output, /valid numeric value/);
  assert.equal(readState(dir).answers.user, { name: 'builder', uid: 2000, gid: 1000 });
});

test.run();
