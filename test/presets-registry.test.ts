// A preset is its folder plus its registry line: nothing else in the code names it, --help tells
// each preset's answers and defaults from that line, a flag a preset does not take is refused, and
// `envs` in another preset's repository says what applies instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { helpText } from '../src/cli.js';
import { ANSWERS } from '../src/cli/flags.js';
import { DEFAULT_PRESET, PRESET_IDS, presetFlags, REGISTRY, type PresetEntry } from '../src/presets/registry.js';
import { readState, removeProject, runCli, snapshot, tempProject } from './helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES: readonly PresetEntry[] = REGISTRY;
const FIXTURES = join(ROOT, 'test', 'fixtures', 'presets');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs|js)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** The identifiers and string/template texts of a file, from its syntax tree (comments are not code). */
function codeTokens(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) out.push(n.text);
    else if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.push(n.text);
    n.forEachChild(visit);
  };
  visit(src);
  return out;
}

const camel = (id: string) => id.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

// Versions that generated files pin all live in src/core/versions.ts (its own rule), a preset's too.
const ALLOWED = new Set(['src/presets/registry.ts', 'src/core/versions.ts']);

/**
 * Where PlatformIO is still named outside its folder (issue 20's first step moved its code there;
 * these wait for step 2), with the texts that name it and why. A new text or a new file fails; a
 * file listed here that names it no more must leave the list.
 */
const PLATFORMIO_KNOWN: Record<string, { why: string; texts: string[] }> = {
  // Step 2: PlatformIO's answers become its own (typed, beside the common answers); their rows,
  // checks and questions move to src/presets/platformio/, the common table keeps the common answers.
  'src/core/answers.ts': { why: 'PlatformIO\'s answers are fields of Answers, checked in CHECKS', texts: ['platformioVersion', ' has line breaks or control characters (or is too long); fix', 'platformio-version', 'invalid PlatformIO version "', 'platformio', 'PlatformIO version', 'invalid PlatformIO version '] },
  'src/cli/flags.ts': { why: 'PlatformIO\'s rows are in the common flag table', texts: ['platformioVersion', 'PLATFORMIO', 'envs to build (default: all in platformio.ini, default_envs ', 'platformio-version', 'PlatformIO version to pin', 'PlatformIO version'] },
  'src/capabilities/questions.ts': { why: 'askAll (PlatformIO\'s questions) lives with the shared asker', texts: ['No platformio.ini here. Envs to build (NAME[:BOARD],...)', 'platformio.ini has ', '--envs names envs that platformio.ini does not define: ', 'no platformio.ini found: pass --envs NAME[:BOARD],... to pro', 'platformio', 'platformioVersion', 'platformio-version'] },
  // Step 2: `envs` lists a preset's build targets (PlatformIO's envs, go-deb's binaries, ...).
  'src/cli.ts': { why: '--help of `envs` and `update` speaks of platformio.ini', texts: ['print the envs platformio.ini defines (--json for machines)', 'regenerate after platformio.ini or an answer changed, mergin', 'envs options (exit 0 listed, 2 no platformio.ini or malforme'] },
  'src/commands/envs.ts': { why: '`envs` reads platformio.ini', texts: ['../presets/platformio/ini/config.js', '../presets/platformio/ini/index.js', 'platformio.ini', 'platformio', 'envs lists the envs of platformio.ini; '] },
  // Step 2: the command opens the project once and the preset reads it (Project.envs is PlatformIO's).
  'src/pipeline/selection.ts': { why: 'the scaffold reads platformio.ini before a preset is chosen', texts: ['../presets/platformio/ini/index.js', 'platformio.ini', '/platformio.ini', 'platformio.ini defines no [env:NAME] section: pass --envs NA'] },
  'src/pipeline/scaffold.ts': { why: 'messages about platformio.ini before a preset is chosen', texts: ['PlatformIO project', 'platformio', 'no platformio.ini in '] },
  'src/pipeline/report.ts': { why: 'env changes are reported as platformio.ini changes', texts: ['platformio.ini changes:', 'platformio.ini: no env changes'] },
  'src/pipeline/location.ts': { why: 'several projects found: says "PlatformIO projects"', texts: ['PlatformIO projects'] },
  // Step 2: state format 2 (common answers + the preset's own), migrated from format 1.
  'src/pipeline/state.ts': { why: 'format-1 answers without a toolchain are PlatformIO\'s', texts: ['platformio', 'platformioVersion'] },
  // The migrate command's guide (another area): the cache it names is PlatformIO's.
  'src/migrate/guide.ts': { why: 'the guide names the PlatformIO cache', texts: ['project name starts with new, empty volumes (the PlatformIO '] },
};

test('a preset is named only in its folder and its registry line (code, not comments); PlatformIO\'s known places are listed', () => {
  const files = ['src', 'generators', 'scripts', 'bin'].flatMap((d) => (existsSync(join(ROOT, d)) ? sources(join(ROOT, d)) : []));
  const found: string[] = [];
  const known = new Set<string>();
  for (const e of ENTRIES) {
    const names = [e.id, camel(e.id)];
    for (const f of files) {
      const rel = relative(ROOT, f);
      if (rel.startsWith(`src/presets/${e.id}/`) || ALLOWED.has(rel)) continue;
      let hits = codeTokens(f).filter((t) => names.some((n) => t.toLowerCase().includes(n.toLowerCase()))).map((h) => h.slice(0, 60));
      const listed = e.id === DEFAULT_PRESET ? PLATFORMIO_KNOWN[rel] : undefined;
      if (listed && hits.length) known.add(rel);
      if (listed) hits = hits.filter((h) => !listed.texts.includes(h));
      if (hits.length) found.push(`${rel}: ${[...new Set(hits)].map((h) => JSON.stringify(h)).join(', ')}`);
    }
  }
  assert.equal(found, [], `named outside their folder:\n${found.join('\n')}`);
  assert.equal(Object.keys(PLATFORMIO_KNOWN).filter((f) => !known.has(f)), [], 'files that no longer name PlatformIO: remove them from PLATFORMIO_KNOWN');
});

test('the registry: ids in order, the default first; each preset\'s own rows belong to it alone', () => {
  assert.equal(PRESET_IDS, ENTRIES.map((e) => e.id));
  assert.is(DEFAULT_PRESET, ENTRIES[0].id);
  for (const e of ENTRIES) {
    for (const r of e.rows) {
      assert.ok(presetFlags(e).includes(r.name), `${e.id}: --${r.name} is its row but not among its questions or flag-only answers`);
      assert.type(r.check, 'function', `${e.id}: --${r.name} has no check`);
      assert.equal(ENTRIES.filter((x) => presetFlags(x).includes(r.name)).map((x) => x.id), [e.id], `--${r.name} is ${e.id}'s alone`);
    }
    for (const q of presetFlags(e)) assert.ok(ANSWERS.some((a) => a.name === q), `${e.id} asks --${q}, which is no row of the table`);
  }
});

test('--help: common answers with each preset\'s default; each preset\'s own answers under its name', () => {
  const help = helpText();
  const line = (flag: string) => help.split('\n').find((l) => l.trimStart().startsWith(`--${flag} `)) ?? '';
  // The base image is no longer "with Python 3" for every preset: each says its own default.
  assert.not.match(line('base-image'), /Python 3/);
  for (const e of ENTRIES) if (e.shown?.['base-image']) assert.ok(line('base-image').includes(`${e.id}: ${e.shown['base-image']}`), `--base-image shows ${e.id}'s default: ${line('base-image')}`);
  assert.match(line('base-image'), /go-deb: golang:<go\.mod's go version>-bookworm/);
  assert.match(line('base-image'), /python-wheels: quay\.io\/pypa\/manylinux_2_28_x86_64:[0-9.-]+/);
  assert.match(line('image'), /platformio: PROJECT-pio; go-deb: PROJECT-build; python-wheels: PROJECT-wheels/);
  // The same default for every preset is said once.
  assert.match(line('ci'), /\(default: github\)$/);
  for (const e of ENTRIES) {
    const header = help.indexOf(`  ${e.displayName} (--preset ${e.id}):\n`);
    const own = ANSWERS.filter((a) => !['preset', 'base-image', 'image', 'registry', 'ci', 'project-name'].includes(a.name) && presetFlags(e).includes(a.name));
    if (!own.length) continue;
    assert.ok(header > 0, `--help has a group for ${e.id}`);
    // The group: the flag lines right under its header.
    const lines = help.slice(header).split('\n').slice(1);
    const group = lines.slice(0, lines.findIndex((l) => !l.startsWith('      --'))).join('\n');
    assert.equal(own.map((a) => group.includes(`--${a.name} `)), own.map(() => true), `${e.id}'s own flags are listed under it:\n${group}`);
    assert.is(group.split('\n').length, own.length, `only ${e.id}'s flags under it`);
  }
  // --preset's choices are the registry's names.
  const preset = ANSWERS.find((a) => a.name === 'preset')!;
  assert.equal(preset.prompt!.choices, ENTRIES.map((e) => ({ name: e.displayName, value: e.id })));
});

test('the presets\' folders never import the loaded registry (index.ts awaits them at load)', () => {
  const target = resolve(ROOT, 'src/presets/index.ts');
  for (const e of ENTRIES) {
    const start = resolve(ROOT, `src/presets/${e.id}/index.ts`);
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) {
      const f = queue.shift()!;
      // Static imports only: a dynamic import() inside a function runs after the registry loaded.
      for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'/gms)) {
        const p = resolve(dirname(f), m[1].replace(/\.js$/, '.ts'));
        if (!existsSync(p) || seen.has(p)) continue;
        assert.ok(p !== target, `${relative(ROOT, f)} imports src/presets/index.ts: loading the presets would wait on itself`);
        seen.add(p);
        queue.push(p);
      }
    }
  }
});

function fixture(id: string, name: string): string {
  const dir = tempProject({}, name);
  cpSync(join(FIXTURES, id), dir, { recursive: true });
  return dir;
}

test('a flag the preset does not take is refused (exit 2, one line, nothing written), not ignored', () => {
  const go = fixture('go-deb', 'hellofs');
  const pio = tempProject({ 'platformio.ini': '[env:uno]\nplatform = atmelavr\nboard = uno\n' });
  try {
    for (const [dir, args, message] of [
      [go, ['--yes', '--platformio-version', '6.1.0'], /^error: --platformio-version \(platformio\) does not apply to the go-deb preset; nothing was written\n$/],
      [go, ['--yes', '--python-versions', '3.11', '--tools', 'cppcheck'], /--tools \(platformio\), --python-versions \(python-wheels\) do not apply to the go-deb preset/],
      [pio, ['--yes', '--maintainer', 'A B <a@example.org>'], /--maintainer \(go-deb\) does not apply to the platformio preset/],
    ] as const) {
      const before = snapshot(dir);
      const r = runCli([dir, ...args], dir);
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(snapshot(dir), before, 'nothing written');
    }
    // After a scaffold, update refuses it the same way.
    assert.is(runCli([go, '--yes'], go).code, 0);
    const before = snapshot(go);
    const r = runCli(['update', go, '--devcontainer', 'no'], go);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /--devcontainer \(platformio\) does not apply to the go-deb preset/);
    assert.equal(snapshot(go), before);
  } finally {
    removeProject(go);
    removeProject(pio);
  }
});

test('envs in another preset\'s repository: one line naming the preset and `project --json`, exit 2', () => {
  const go = fixture('go-deb', 'hellofs');
  const py = fixture('python-wheels', 'fastsum');
  try {
    assert.is(runCli([go, '--yes'], go).code, 0);
    for (const [dir, how, id] of [[go, 'scaffolded as', 'go-deb'], [py, 'detected as', 'python-wheels']] as const) {
      for (const json of [[], ['--json']]) {
        const r = runCli(['envs', dir, ...json], dir);
        assert.is(r.code, 2, r.stderr);
        assert.is(r.stdout, '');
        assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
        assert.ok(r.stderr.includes(`is ${how} ${id} (`), r.stderr);
        assert.ok(r.stderr.includes(`create-pio-docker project --json ${dir}`), r.stderr);
        // What it points to works there.
        assert.is(JSON.parse(runCli(['project', '--json', dir], dir).stdout).preset, id);
      }
    }
    assert.is(readState(go).answers.toolchain, 'go-deb');
  } finally {
    removeProject(go);
    removeProject(py);
  }
});

test.run();
