// Golden files: the complete output for a few answer sets, compared byte for byte.
// UPDATE_GOLDEN=1 rewrites them; review that diff like code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderAll } from '../src/pipeline/render.js';
import { GOLDEN_SETS, PRESET_GOLDEN_SETS } from './golden-sets.js';
import { ROOT, snapshot } from './helpers/cli.js';

const GOLDEN = join(ROOT, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

// PlatformIO's sets, then the other presets' (each its own folder under test/golden/).
const ALL_SETS = { ...GOLDEN_SETS, ...PRESET_GOLDEN_SETS };

for (const [name, answers] of Object.entries(ALL_SETS)) {
  test(`golden: ${name}`, () => {
    const dir = join(GOLDEN, name);
    const rendered = new Map(renderAll(answers).map((f) => [f.path, f.content]));
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      for (const [path, content] of rendered) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      return;
    }
    assert.ok(existsSync(dir), `no golden files for ${name}: run UPDATE_GOLDEN=1 npm test`);
    const expected = snapshot(dir);
    assert.equal([...rendered.keys()].sort(), [...expected.keys()].sort(), `${name}: set of files differs`);
    for (const [path, content] of rendered) assert.fixture(content, expected.get(path)!.content, `${name}/${path} differs from its golden file`);
  });
}

test('rendering twice gives identical bytes', () => {
  for (const answers of Object.values(ALL_SETS)) assert.equal(renderAll(answers), renderAll(structuredClone(answers)));
});

test.run();
