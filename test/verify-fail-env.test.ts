// verify's `all` check makes one env fail through its build_flags; it must pick an env whose flags
// no other env takes (by `extends` or `${env:NAME.build_flags}`), as PlatformIO resolves them, or
// skip with the reason: two of ten real projects failed verify on this.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseFailEnv, withForcedInclude } from '../src/presets/platformio/fail-env.js';
import { removeProject, tempProject } from './helpers/cli.js';

const test = suite('verify all: the env made to fail');
const H = '/workspace/.cpd-verify-fail/fail.h';

const INTERPOLATED = `[env:esp8266-minimal]
platform = espressif8266
board = d1_mini
build_flags = -DMINIMAL

[env:esp8266]
platform = espressif8266
board = d1_mini
build_flags = \${env:esp8266-minimal.build_flags} -DENABLE_MQTT

[env:esp8266-de]
extends = env:esp8266
build_flags = \${env:esp8266.build_flags} -DLANG_DE

[env:native]
platform = native
`;

const EXTENDS = `[env]
build_flags = -DCOMMON

[env:chainlink]
platform = espressif32
board = esp32dev

[env:chainlink-pro]
extends = env:chainlink

[env:other]
platform = espressif32
board = esp32dev
build_flags = -DOTHER
`;

function choose(ini: string, candidates: string[]) {
  const dir = tempProject({ 'platformio.ini': ini });
  try {
    const path = join(dir, 'platformio.ini');
    const all = [...ini.matchAll(/^\[env:([^\]]+)\]/gm)].map((m) => m[1]);
    const choice = chooseFailEnv(path, candidates, all, H);
    return { choice, text: readFileSync(path, 'utf8') };
  } finally {
    removeProject(dir);
  }
}

test('interpolation: an env whose build_flags others interpolate is passed over', () => {
  const { choice, text } = choose(INTERPOLATED, ['esp8266-minimal', 'esp8266', 'esp8266-de']);
  assert.equal(choice, { env: 'esp8266-de' });
  assert.is(text, withForcedInclude(INTERPOLATED, 'esp8266-de', H));
  assert.match(text, /build_flags = -include \/workspace\/\.cpd-verify-fail\/fail\.h \$\{env:esp8266\.build_flags\} -DLANG_DE/);
});

test('extends: an env another extends (and inherits build_flags from) is passed over', () => {
  const { choice } = choose(EXTENDS, ['chainlink', 'chainlink-pro', 'other']);
  assert.equal(choice, { env: 'chainlink-pro' });
});

test('no env can fail alone: skipped with the reason, the file restored', () => {
  const ini = EXTENDS.replace(/\[env:other\][\s\S]*$/, '');
  const { choice, text } = choose(ini, ['chainlink']);
  assert.ok('skip' in choice);
  assert.match((choice as { skip: string }).skip, /no env can fail alone: chainlink's build_flags reach chainlink-pro/);
  assert.is(text, ini);
});

test.run();
