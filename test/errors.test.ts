// One error base: every error class of src/ a user can meet extends CpdError (src/core/errors.ts),
// which carries its exit status; src/cli.ts alone turns it into one. Classes that never reach the
// user (caught and turned into another error or a report line where they are thrown) are listed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CpdError, EXIT } from '../src/core/errors.js';
import { UsageError } from '../src/core/rows.js';
import { AnswersError } from '../src/core/answers.js';
import { ApplyError, UnsafePathError } from '../src/pipeline/apply.js';
import { CancelledAfterApply, CancelledError } from '../src/pipeline/cancel.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// Internal to the platformio.ini reader (turned into PioConfigError or a value left unresolved),
// and the scaffold's exit code carried out of Yeoman (run-generator.ts returns it); CpdError itself.
const INTERNAL = new Set(['CpdError', 'IniSyntaxError', 'IniLookupError', 'UnresolvableError', 'GlobError', 'GeneratorExit']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** `class X extends Y` of every file, as [file, X, Y]. */
function classes(): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const f of ['src', 'generators'].flatMap((d) => sources(join(ROOT, d)))) {
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      if (ts.isClassDeclaration(n) && n.name) {
        const base = n.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(sf);
        if (base) out.push([relative(ROOT, f), n.name.text, base]);
      }
      n.forEachChild(visit);
    };
    visit(sf);
  }
  return out;
}

test('every error class extends CpdError, except the internal ones', () => {
  const plain = classes().filter(([, name, base]) => base === 'Error' && !INTERNAL.has(name)).map(([f, name]) => `${f}: ${name}`);
  assert.equal(plain, [], 'give it a place under CpdError (src/core/errors.ts) with its exit status');
  const based = classes().filter(([, , base]) => base === 'CpdError').map(([, name]) => name);
  assert.ok(based.length >= 15, `${based.length} classes extend CpdError`);
});

test('exit statuses and the line after the message, as the CLI prints them', () => {
  for (const e of [new UsageError('x'), new AnswersError('x')]) assert.is(e.exitCode, EXIT.input);
  assert.is(new UsageError('x').hint, 'Run create-pio-docker --help for usage.');
  for (const e of [new UnsafePathError(['a']), new ApplyError('x', 'p')]) {
    assert.is(e.exitCode, 1);
    assert.is(e.hint, 'Nothing was changed.');
  }
  for (const e of [new CancelledError(), new CancelledAfterApply('SIGINT')]) assert.is(e.exitCode, 130);
  assert.instance(new AnswersError('x'), CpdError);
  assert.is(new AnswersError('x').name, 'AnswersError');
});

test('src/cli.ts is the one module that reads an error\'s exit status', () => {
  const readers = ['src', 'generators'].flatMap((d) => sources(join(ROOT, d))).filter((f) => /\b(err|e|error)\.exitCode\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
  assert.equal(readers, ['src/cli.ts']);
});

test.run();
