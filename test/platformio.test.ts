// platformio.ini reading with PlatformIO's semantics (src/platformio) and the `envs` command.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readEnvs, type EnvsReport } from '../src/presets/platformio/ini/index.js';
import { ROOT, removeProject, runCli, tempProject } from './helpers/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'platformio', 'split-project');
const dirs: string[] = [];

function project(files: Record<string, string>): string {
  const dir = tempProject(files);
  dirs.push(dir);
  return dir;
}

/** readEnvs on a temp project made of these files, with these environment variables only. */
function envs(files: Record<string, string>, environ: NodeJS.ProcessEnv = {}): { report: EnvsReport; warnings: string[] } {
  return readEnvs(project(files), environ);
}

const one = (ini: string, name = 'a', environ: NodeJS.ProcessEnv = {}) => envs({ 'platformio.ini': ini }, environ).report.env[name];

function configError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    assert.is((e as Error).name, 'PioConfigError');
    return e as Error;
  }
  throw new assert.Assertion({ message: 'expected a PioConfigError', operator: 'throws', expects: 'PioConfigError', actual: 'nothing thrown' });
}

test.after(() => dirs.forEach(removeProject));

test('comments: ; and # lines, inline only after whitespace (lib#v1.2 is a value)', () => {
  const ini = [
    '; header comment',
    '# another',
    '[env:a]',
    'platform = espressif32 ; pinned',
    'board = lib#v1.2',
    'framework = arduino   # trailing',
    '; board = wrong',
    '  # framework = wrong',
    '[env:b]',
    // configparser scans prefixes round by round: the comment starts at `;`, not at ` #c`
    'board = x#b #c ;d',
  ].join('\n');
  const { report } = envs({ 'platformio.ini': ini });
  assert.equal(report.env.a, { platform: 'espressif32', board: 'lib#v1.2', framework: ['arduino'] });
  assert.is(report.env.b.board, 'x#b #c');
});

test('multi-line values keep a leading newline and skip comment and blank lines inside', () => {
  const e = one(['[env:a]', 'platform =', '    https://example.invalid/p.zip', 'board = uno', 'framework =', '    arduino', '    ; not this', '    # nor this', '', '    espidf', '', '[env:z]'].join('\n'));
  assert.equal(e, { platform: '\nhttps://example.invalid/p.zip', board: 'uno', framework: ['arduino', 'espidf'] });
});

test('lists split on newlines, else on ", " only; unset framework is []', () => {
  const { report } = envs({ 'platformio.ini': '[env:a]\nframework = arduino, espidf\n[env:b]\nframework = arduino,espidf\n[env:c]\nboard = uno\n' });
  assert.equal(report.env.a.framework, ['arduino', 'espidf']);
  assert.equal(report.env.b.framework, ['arduino,espidf']);
  assert.equal(report.env.c, { platform: null, board: 'uno', framework: [] });
});

test('CRLF and CR line ends read like LF', () => {
  const lf = '[platformio]\ndefault_envs =\n  a\n  b\n[env:a]\nplatform = ststm32\nframework =\n  arduino\n\n  ; c\n  cmsis\n[env:b]\nboard = x\n';
  const want = envs({ 'platformio.ini': lf }).report;
  assert.equal(envs({ 'platformio.ini': lf.replace(/\n/g, '\r\n') }).report, want);
  assert.equal(envs({ 'platformio.ini': lf.replace(/\n/g, '\r') }).report, want);
  assert.equal(want.env.a.framework, ['arduino', 'cmsis']);
});

test('extends: own options first, then parents (the last listed wins), [env] last', () => {
  const { report } = envs({
    'platformio.ini': [
      '[env]',
      'platform = from-env',
      'board = from-env',
      'framework = from-env',
      '[a]',
      'platform = from-a',
      'board = from-a',
      '[b]',
      'platform = from-b',
      '[c]',
      'extends = a',
      '[env:x]',
      'extends = a, b',
      'framework = own',
      '[env:y]',
      'extends =',
      '    c',
      '[env:z]',
      'extends = env:x',
      'board = z',
    ].join('\n'),
  });
  assert.equal(report.env.x, { platform: 'from-b', board: 'from-a', framework: ['own'] });
  assert.equal(report.env.y, { platform: 'from-a', board: 'from-a', framework: ['from-env'] });
  assert.equal(report.env.z, { platform: 'from-b', board: 'z', framework: ['own'] });
});

test('split project: extra_configs globs, recursive **, [env] only in an include, hidden and missing files skipped', () => {
  const { report, warnings } = readEnvs(FIXTURE, {});
  assert.equal(report, {
    envs: ['bench rig', 'tiny', 'deep'],
    default_envs: ['bench rig', 'tiny'],
    env: {
      'bench rig': { platform: 'atmelavr@5.0.0', board: 'uno', framework: ['arduino'] },
      tiny: { platform: 'atmelavr@4.2.0', board: 'attiny85', framework: ['arduino'] },
      deep: { platform: 'ststm32', board: 'uno', framework: ['arduino'] },
    },
  });
  assert.equal(warnings, []);
});

test('extra_configs: later files override options and add sections after the main file', () => {
  const { report } = envs({
    'platformio.ini': '[platformio]\nextra_configs = conf/override.ini, more.ini\n[env:a]\nboard = uno\nplatform = atmelavr\n[env:c]\nboard = c\n',
    'conf/override.ini': '[env:a]\nboard = megaatmega2560\n[env:b]\nboard = b\n',
    // an include may set extra_configs again: PlatformIO re-reads the list after every file
    'more.ini': '[platformio]\nextra_configs = third?.ini\n',
    'third1.ini': '[env:third]\nboard = t\n',
  });
  assert.equal(report.envs, ['a', 'c', 'b', 'third']);
  assert.equal(report.env.a, { platform: 'atmelavr', board: 'megaatmega2560', framework: [] });
});

test('extra_configs: the same section twice in one file is an error, across files it merges', () => {
  const dir = project({ 'platformio.ini': '[env:a]\nboard = uno\n\n[env:a]\nplatform = x\n' });
  assert.match(configError(() => readEnvs(dir, {})).message, /platformio\.ini:4: section \[env:a\] already defined/);
  const { report } = envs({ 'platformio.ini': '[platformio]\nextra_configs = x.ini\n[env:a]\nboard = uno\n', 'x.ini': '[env:a]\nplatform = p\n' });
  assert.equal(report.env.a, { platform: 'p', board: 'uno', framework: [] });
});

test('interpolation: ${section.option}, ${env:NAME.option}, ${this.option}, ${this.__env__}, lists', () => {
  const { report, warnings } = envs({
    'platformio.ini': [
      '[platformio]',
      'default_envs = ${common.envs}',
      '[common]',
      'envs = a, b',
      'board = uno',
      '[env]',
      'framework = arduino',
      '[env:a]',
      'platform = ${env:b.platform}',
      'board = ${common.board}',
      'framework = ${this.custom_fw}, ${env.framework}',
      'custom_fw = zephyr',
      '[env:b]',
      'platform = atmelavr',
      'board = ${this.__env__}_board',
    ].join('\n'),
  });
  assert.equal(report.default_envs, ['a', 'b']);
  assert.equal(report.env.a, { platform: 'atmelavr', board: 'uno', framework: ['zephyr', 'arduino'] });
  assert.is(report.env.b.board, 'b_board');
  assert.equal(warnings, []);
});

test('interpolation: ${this.*} in [env] or a parent resolves for each env; __env__ outside an env cannot', () => {
  const { report, warnings } = envs({
    'platformio.ini': '[env]\nboard = ${this.__env__}-${this.chip}\n[base]\nplatform = ${this.chip}-platform\n[env:a]\nextends = base\nchip = c1\n[env:b]\nchip = c2\nplatform = ${base.platform}\n',
  });
  assert.equal(report.env.a, { platform: 'c1-platform', board: 'a-c1', framework: [] });
  assert.is(report.env.b.board, 'b-c2');
  // ${base.platform} reads [base] itself, where `chip` is not set
  assert.is(report.env.b.platform, null);
  assert.match(warnings[0], /\[env:b\] platform: .*\$\{base\.platform\}: \$\{this\.chip\}: No option 'chip' in section: 'base'/);
});

test('interpolation: ${sysenv.X} from the environment (empty when unset), build variables left as written', () => {
  const ini = '[env:a]\nboard = ${sysenv.CPD_TEST_BOARD}\nplatform = p-${PIOENV}-${PROJECT_DIR}\n';
  assert.is(one(ini, 'a', { CPD_TEST_BOARD: 'esp32dev' }).board, 'esp32dev');
  assert.equal(one(ini, 'a', {}), { platform: 'p-${PIOENV}-${PROJECT_DIR}', board: '', framework: [] });
});

test('interpolation: ${platformio.packages_dir} and other dirs get PlatformIO defaults', () => {
  const ini = '[env:a]\nplatform = file://${platformio.packages_dir}/platform-x\nboard = ${platformio.build_dir}\n';
  assert.equal(one(ini), { platform: `file://${join(homedir(), '.platformio', 'packages')}/platform-x`, board: '${PROJECT_DIR}/.pio/build', framework: [] });
  assert.is(one(ini, 'a', { PLATFORMIO_CORE_DIR: '/opt/pio' }).platform, 'file:///opt/pio/packages/platform-x');
  const dir = project({ 'platformio.ini': `[platformio]\npackages_dir = pkgs\n${ini}` });
  assert.is(readEnvs(dir, {}).report.env.a.platform, `file://${join(dir, 'pkgs')}/platform-x`);
});

test('env names with spaces; sections with colons that are not envs', () => {
  const { report } = envs({
    'platformio.ini': [
      '[platformio]',
      'default_envs = my board, other',
      '[common:esp32]',
      'platform = espressif32',
      '[app:x]',
      'board = not-an-env',
      '[env:my board]',
      'platform = ${common:esp32.platform}',
      'board = ${app:x.board}',
      '[env:other]',
    ].join('\n'),
  });
  assert.equal(report.envs, ['my board', 'other']);
  assert.equal(report.default_envs, ['my board', 'other']);
  assert.equal(report.env['my board'], { platform: 'espressif32', board: 'not-an-env', framework: [] });
});

test('known options: old name env_default, PLATFORMIO_DEFAULT_ENVS appended, [DEFAULT] section, an unset option interpolates as None', () => {
  assert.equal(envs({ 'platformio.ini': '[platformio]\nenv_default = a\n[env:a]\n' }).report.default_envs, ['a']);
  assert.equal(envs({ 'platformio.ini': '[platformio]\ndefault_envs = a\n[env:a]\n' }, { PLATFORMIO_DEFAULT_ENVS: 'b' }).report.default_envs, ['a', 'b']);
  const { report } = envs({ 'platformio.ini': '[DEFAULT]\nframework = arduino\n[env:a]\nboard = ${env.board}\n' });
  assert.equal(report.envs, ['a']);
  assert.equal(report.env.a, { platform: null, board: 'None', framework: ['arduino'] });
});

test('configparser %-interpolation: %% and %(name)s; a lone % cannot be resolved', () => {
  const { report, warnings } = envs({ 'platformio.ini': '[env:a]\nplatform = 100%%\nboard = %(chip)s\nchip = uno\n[env:b]\nplatform = 50%\nboard = uno\n' });
  assert.equal(report.env.a, { platform: '100%', board: 'uno', framework: [] });
  assert.equal(report.env.b, { platform: null, board: 'uno', framework: [] });
  assert.is(warnings.length, 1);
  assert.match(warnings[0], /platformio\.ini:6: \[env:b\] platform: value cannot be resolved: '%' must be followed/);
});

test('unresolvable interpolation: null plus one warning naming file, line and option', () => {
  const { report, warnings } = envs({
    'platformio.ini': '[platformio]\nextra_configs = envs.ini\n',
    'envs.ini': '[env:a]\nboard = uno\nplatform = ${missing_include.platform}\nframework = ${common.nope}\n[common]\nx = 1\n',
  });
  assert.equal(report.env.a, { platform: null, board: 'uno', framework: null });
  assert.is(warnings.length, 2);
  assert.match(warnings[0], /envs\.ini:3: \[env:a\] platform: value cannot be resolved: \$\{missing_include\.platform\}: No section: 'missing_include'/);
  assert.match(warnings[1], /envs\.ini:4: \[env:a\] framework: .*No option 'nope'/);
});

test('errors: unclosed section header names file and line, also in an include', () => {
  const dir = project({ 'platformio.ini': '[env:a]\nboard = uno\n[env:b\nboard = x\n' });
  assert.match(configError(() => readEnvs(dir, {})).message, /platformio\.ini:3: unclosed section header: \[env:b/);
  const dir2 = project({ 'platformio.ini': '[platformio]\nextra_configs = inc.ini\n', 'inc.ini': '\n\n[common\n' });
  assert.match(configError(() => readEnvs(dir2, {})).message, /inc\.ini:3: unclosed/);
  const dir3 = project({ 'platformio.ini': 'board = uno\n' });
  assert.match(configError(() => readEnvs(dir3, {})).message, /platformio\.ini:1: option outside any \[section\]/);
});

test('errors: interpolation loops and extends loops name file and line', () => {
  const loop = project({ 'platformio.ini': '[env:a]\nboard = uno\nplatform = ${common.p}\n[common]\np = ${env:a.platform}\n' });
  const e = configError(() => readEnvs(loop, {}));
  assert.match(e.message, /platformio\.ini:5: interpolation loop: \$\{env:a\.platform\} -> \$\{common\.p\} -> \$\{env:a\.platform\}/);
  const self = project({ 'platformio.ini': '[env:a]\nboard = ${this.board}\n' });
  assert.match(configError(() => readEnvs(self, {})).message, /platformio\.ini:2: interpolation loop/);
  const ext = project({ 'platformio.ini': '[x]\nextends = y\n[y]\nextends = x\n[env:a]\nextends = x\n' });
  assert.match(configError(() => readEnvs(ext, {})).message, /platformio\.ini:\d: extends loop: .*\[x\] -> \[y\] -> \[x\]/);
});

test('errors: no platformio.ini, or one that cannot be read', () => {
  const dir = project({ 'README.md': 'x' });
  assert.match(configError(() => readEnvs(dir, {})).message, /no platformio\.ini in /);
  mkdirSync(join(dir, 'platformio.ini'));
  assert.match(configError(() => readEnvs(dir, {})).message, /cannot read .*platformio\.ini/);
});

// ---- the built CLI (npm test builds it first) ----

test('CLI envs --json: exactly the report, keys in order, exit 0', () => {
  const r = runCli(['envs', FIXTURE, '--json'], ROOT);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  const json = JSON.parse(r.stdout);
  assert.equal(json, readEnvs(FIXTURE).report);
  assert.equal(Object.keys(json), ['envs', 'default_envs', 'env']);
  assert.equal(Object.keys(json.env['bench rig']), ['platform', 'board', 'framework']);
});

test('CLI envs: warnings on stderr, table with a default marker', () => {
  const dir = project({ 'platformio.ini': '[platformio]\ndefault_envs = b\n[env:a]\nboard = uno\nplatform = ${gone.platform}\n[env:b]\nplatform =\n  atmelavr\nboard = nano\nframework = arduino\n' });
  const r = runCli(['envs', dir], ROOT);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: .*platformio\.ini:5: \[env:a\] platform: value cannot be resolved: \$\{gone\.platform\}/);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.map((l) => l.split(/\s+/)), [
    ['ENV', 'BOARD', 'PLATFORM', 'FRAMEWORK', 'DEFAULT'],
    ['a', 'uno', '-', '-'],
    ['b', 'nano', 'atmelavr', 'arduino', '*'],
  ]);
  const json = JSON.parse(runCli(['envs', dir, '--json'], ROOT).stdout);
  assert.equal(json.env.a, { platform: null, board: 'uno', framework: [] });
});

test('CLI envs: malformed input and a missing platformio.ini exit 2 with file:line', () => {
  const dir = project({ 'platformio.ini': '[env:a]\nboard = uno\n[env:b\n' });
  const r = runCli(['envs', dir, '--json'], ROOT);
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^error: .*platformio\.ini:3: unclosed section header/);
  const empty = project({ 'x.txt': '' });
  const m = runCli(['envs', empty, '--json'], ROOT);
  assert.is(m.code, 2);
  assert.match(m.stderr, /error: no platformio\.ini in /);
});

test.run();
