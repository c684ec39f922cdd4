// Generated scripts pass shellcheck whatever the project is called: one letter (`p`: `tag=p-pio:dev`
// read as arithmetic when the script has a `p`, SC2100), dots, digits first, and names that are
// variables or commands of the scripts themselves. Every preset's scripts, every golden answer set.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECKS, type Answers } from '../src/core/answers.js';
import { renderAll } from '../src/pipeline/render.js';
import { GOLDEN_SETS, PRESET_GOLDEN_SETS } from './golden-sets.js';

const NAMES = ['p', 'a.b', '1x', '9.fw'];
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const work = mkdtempSync(join(tmpdir(), 'cpd-shell-names-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** The answers of `set` for a project called `name`, as the scaffold makes them (image, user, package names follow). */
function named(a: Answers, name: string): Answers {
  const suffix = a.toolchain === 'go-deb' ? 'build' : a.toolchain === 'python-wheels' ? 'wheels' : 'pio';
  const image = a.image.name.includes('/') ? a.image : { ...a.image, name: `${name}-${suffix}` };
  const out: Answers = { ...a, projectName: name, image, user: USER_NAME.test(name) ? { ...a.user, name } : a.user };
  const pa = a.presetAnswers as Record<string, any> | undefined;
  if (a.toolchain === 'go-deb' && pa) out.presetAnswers = { ...pa, deb: { ...pa.deb, name: name.length > 1 ? name.replace(/_/g, '-') : `${name}-go` } };
  if (a.toolchain === 'python-wheels' && pa) out.presetAnswers = { ...pa, name };
  return out;
}

/** Lowercase variables the set's scripts assign: each is also tried as a project name (`tag`, `i`, `env`, ...). */
function scriptVariables(a: Answers): string[] {
  const vars = new Set<string>();
  for (const f of renderAll(a)) if (f.path.endsWith('.sh')) for (const m of f.content.matchAll(/(?:\b(?:local|for)\s+|^\s*)([a-z][a-z0-9]*)=|\bfor\s+([a-z][a-z0-9]*)\s+in\b/gm)) vars.add(m[1] ?? m[2]);
  return [...vars].filter((v) => v.length === 1);
}

for (const [set, answers] of Object.entries({ ...GOLDEN_SETS, ...PRESET_GOLDEN_SETS })) {
  test(`${set}: scripts pass shellcheck for project names ${NAMES.join(', ')} and the scripts' own one-letter variables`, () => {
    const files: string[] = [];
    const seen = new Set<string>(); // a script the name does not change is checked once
    const names = [...new Set([...NAMES, ...scriptVariables(answers)])];
    for (const name of names) {
      assert.is(CHECKS['project-name'](name), null, `${name} is a valid project name`);
      for (const f of renderAll(named(answers, name))) {
        if (!f.path.endsWith('.sh') || seen.has(f.content)) continue;
        seen.add(f.content);
        const path = join(work, set, name, f.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
        files.push(path);
      }
    }
    assert.ok(files.length >= names.length, `${files.length} scripts`);
    const r = spawnSync('shellcheck', ['-f', 'gcc', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.ok(r.error === undefined, String(r.error));
    assert.is(r.status, 0, r.stdout.split(work).join('').slice(0, 3000));
  });
}

test.run();
