// The layers point one way: core <- capabilities <- presets <- pipeline <- commands <- registry <- cli.
// Every import of src/ and generators/ (static, type-only and dynamic, read from the syntax tree) is
// checked against the layer of the file it points to; an import up the order fails, unless it is
// one of the known ones listed below, each with why it is there and the step of issue 20 that
// removes it. A new upward import fails; a known one that is gone must leave the list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Lowest first; a file belongs to the layer of its longest matching prefix. The registry of presets
 * (registry.ts, the loaded presets in index.ts) sits right under the CLI: it is handed down from the
 * top, so nothing below imports it.
 */
const LAYERS: readonly (readonly [string, readonly string[]])[] = [
  ['core', ['src/core/', 'src/engine/']],
  ['capabilities', ['src/capabilities/', 'src/verify/']],
  ['presets', ['src/presets/']],
  ['pipeline', ['src/pipeline/', 'src/update/', 'src/migrate/']],
  ['commands', ['src/commands/', 'src/run-generator.ts', 'generators/']],
  ['registry', ['src/presets/registry.ts', 'src/presets/index.ts', 'src/presets/ids.ts']],
  ['cli', ['src/cli.ts', 'src/cli/']],
];

/**
 * Known upward imports, `from -> to`. Why each is there, and the step of issue 20 that removes it
 * (step 2: typed answers = common + the preset's own, and a command that opens the project once and
 * hands the registry down; see docs/architecture.md).
 */
const KNOWN: Record<string, string> = {
  // The answers model checks `toolchain` against the registry's ids and joins each preset's own
  // rows' checks into CHECKS. Step 2: common answers in core; a preset's rows checked by the preset.
  'src/core/answers.ts -> src/presets/registry.ts': 'answers know the preset ids and their rows',
  // The asker reads the one flag table (rows, parsing of --envs) and the registry (which preset
  // asks what); it also holds PlatformIO's askAll. Step 2: the asker takes the rows it is handed;
  // askAll moves to src/presets/platformio/.
  'src/capabilities/questions.ts -> src/cli/flags.ts': 'the asker reads the flag table',
  'src/capabilities/questions.ts -> src/presets/registry.ts': 'the asker reads the registry',
  // FlagAnswers (the parsed flags) is declared with the flag table. Step 2: its type moves to core.
  'src/presets/go-deb/flags.ts -> src/cli/flags.ts': 'type FlagAnswers',
  'src/presets/python-wheels/flags.ts -> src/cli/flags.ts': 'type FlagAnswers',
  'src/pipeline/scaffold.ts -> src/cli/flags.ts': 'type FlagAnswers',
  'src/update/update.ts -> src/cli/flags.ts': 'type FlagAnswers',
  // Reads go through inspectPath, which lives in the writer. Step 2: a read-only inspectPath in
  // core/safety, apply.ts keeping the writes.
  'src/presets/go-deb/read.ts -> src/pipeline/apply.ts': 'inspectPath lives in the writer',
  'src/presets/python-wheels/scan.ts -> src/pipeline/apply.ts': 'inspectPath lives in the writer',
  // `PresetId` is the union of the registry's ids. Step 2: Preset.id is a string; the registry
  // checks its lines.
  'src/presets/types.ts -> src/presets/ids.ts': 'type PresetId',
  // The pipeline finds the preset of a run itself. Step 2: the command hands it the registry
  // (locate, choose, state, render and report take the presets they are given).
  'src/pipeline/choose-preset.ts -> src/presets/index.ts': 'choosing reads the loaded presets',
  'src/pipeline/choose-preset.ts -> src/presets/registry.ts': 'choosing reads the registry',
  'src/pipeline/location.ts -> src/presets/registry.ts': 'isProject of each registry line',
  'src/pipeline/render.ts -> src/presets/index.ts': 'renderAll looks up the preset of the answers',
  'src/pipeline/report.ts -> src/presets/index.ts': 'next steps of the preset',
  'src/pipeline/state.ts -> src/presets/index.ts': 'every preset\'s paths, the preset of the stored answers',
  'src/commands/envs.ts -> src/presets/registry.ts': 'names the preset of another repository',
  'src/commands/project.ts -> src/presets/index.ts': 'detects and reads with every preset',
  'src/commands/project.ts -> src/presets/registry.ts': 'the default preset',
  'src/commands/verify.ts -> src/presets/index.ts': 'the preset of the stored answers',
  // The loaded presets refuse flags another preset takes, from the flag table. Step 2: the CLI
  // refuses them before handing the flags down.
  'src/presets/index.ts -> src/cli/flags.ts': 'flagsNotTaken, presetsTaking',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const layerOf = (rel: string): number => {
  let best = -1;
  let len = -1;
  LAYERS.forEach(([, prefixes], i) => {
    for (const p of prefixes) if (rel.startsWith(p) && p.length > len) [best, len] = [i, p.length];
  });
  return best;
};

/** Every relative import of a file (import/export ... from, import type, import()), as repository paths. */
export function importsOf(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    let spec: string | undefined;
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) spec = n.moduleSpecifier.text;
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) spec = n.arguments[0].text;
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) spec = n.argument.literal.text;
    if (spec?.startsWith('.')) out.push(relative(ROOT, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

const FILES = ['src', 'generators'].flatMap((d) => sources(join(ROOT, d))).map((f) => relative(ROOT, f)).sort();

/** The upward imports of the code as it is. */
function upward(): string[] {
  const found = new Set<string>();
  for (const rel of FILES) for (const to of importsOf(join(ROOT, rel))) if (layerOf(to) > layerOf(rel)) found.add(`${rel} -> ${to}`);
  return [...found].sort();
}

test('every file of src/ and generators/ has a layer, and every relative import points to a file', () => {
  assert.equal(FILES.filter((f) => layerOf(f) < 0), [], 'files outside every layer: give them one in LAYERS');
  const dangling = FILES.flatMap((f) => importsOf(join(ROOT, f)).filter((to) => !existsSync(join(ROOT, to))).map((to) => `${f} -> ${to}`));
  assert.equal(dangling, []);
});

test('no import points up the layers, except the known ones (each with why and the step that removes it)', () => {
  const up = upward();
  const name = (edge: string) => edge.split(' -> ').map((f) => `${f} (${LAYERS[layerOf(f)][0]})`).join(' -> ');
  assert.equal(up.filter((e) => !(e in KNOWN)).map(name), [], 'new upward imports: hand the value down instead, or move the module to its layer');
  assert.equal(Object.keys(KNOWN).filter((e) => !up.includes(e)), [], 'known upward imports that are gone: remove them from KNOWN');
});

test('the checker sees an upward import (a core module importing the pipeline)', () => {
  // The test must be able to fail: a synthetic edge from core to the pipeline counts as upward.
  assert.ok(layerOf('src/core/paths.ts') < layerOf('src/pipeline/apply.ts'));
  assert.ok(layerOf('src/presets/go-deb/read.ts') < layerOf('src/presets/registry.ts'), 'the registry is above the presets');
  assert.ok(importsOf(join(ROOT, 'src/cli.ts')).includes('src/commands/verify.ts'), 'dynamic imports are read');
  assert.ok(importsOf(join(ROOT, 'src/presets/types.ts')).includes('src/presets/ids.ts'), 'type-only imports are read');
});

/** Strongly connected components of the import graph with more than one file (Tarjan). */
export function importCycles(): string[][] {
  const edges = new Map(FILES.map((f) => [f, importsOf(join(ROOT, f)).filter((t) => FILES.includes(t))]));
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const f of FILES) if (!index.has(f)) visit(f);
  return out.sort((a, b) => b.length - a.length);
}

/**
 * The largest import circle (every import: static, type-only, dynamic). 45 files before issue 20;
 * what is left runs core/answers.ts -> the registry -> each preset's flags.ts -> (load()) its
 * renderers -> core/answers.ts, and goes when the answers stop importing the registry (step 2).
 * Lower it as circles are cut; it must never grow.
 */
const LARGEST_CYCLE = 37;

test(`import cycles do not grow: the largest circle has at most ${LARGEST_CYCLE} files (45 before issue 20)`, () => {
  const cycles = importCycles();
  assert.ok((cycles[0]?.length ?? 0) <= LARGEST_CYCLE, `largest import cycle: ${cycles[0]?.length} files (limit ${LARGEST_CYCLE}):\n${cycles[0]?.join('\n')}`);
});

test.run();
