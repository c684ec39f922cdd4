// A re-run that changes nothing says "Nothing changed", and lists the files kept as you have them
// under their own heading (not under "Changed:"); a kept file that lacks what the other generated
// files need (a Dockerfile without the stages compose builds) is named at once with what it lacks;
// a run that changes what the image holds says to rebuild it, with the commands.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { keptLacks } from '../src/pipeline/kept.js';
import { removeProject, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const test = suite('report: nothing changed, kept files');

test('a re-run with an edited Dockerfile lacking the stages: Nothing changed, kept heading, what it lacks', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    const again = runCli(['--yes'], dir);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Nothing changed\.$/m);
    assert.not.match(again.stdout, /Changed:/);

    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian\nRUN true\n');
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.not.match(r.stdout, /Changed:/);
    assert.match(r.stdout, /Nothing changed\.\nKept as you have them \(not regenerated\):\n\s+kept \(yours\)\s+Dockerfile\n/);
    assert.match(r.stdout, /warning: your Dockerfile \(kept\) lacks the stages [a-z, -]*builder[a-z, -]* \(FROM \.\.\. AS NAME\)/);
    assert.is(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'FROM debian\nRUN true\n');
  } finally {
    removeProject(dir);
  }
});

test('update with a new board: says the image is stale and prints the rebuild commands; a no-op run does not', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes'], dir).code, 0);
    const same = runCli(['update'], dir);
    assert.is(same.code, 0, same.stderr);
    assert.not.match(same.stdout, /out of date/);
    writeFileSync(join(dir, 'platformio.ini'), `${TWO_ENVS_INI}\n[env:nodemcuv2]\nplatform = espressif8266\nboard = nodemcuv2\n`);
    const r = runCli(['update'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /The images are out of date: [^\n]*docker\/pio-build\.sh[^\n]* changed, and the builds use the image\. Rebuild it:\n {2}scripts\/build-docker\.sh\n {2}scripts\/build-docker\.sh --target dev/);
  } finally {
    removeProject(dir);
  }
});

test('keptLacks: Dockerfile stages and compose services; nothing for a compatible edit', () => {
  const gen = 'FROM a AS base\nFROM base AS builder\nFROM base AS dev\n';
  assert.is(keptLacks('Dockerfile', 'FROM a AS base\nRUN x\nFROM base AS builder\nFROM base AS dev\n', gen), null);
  assert.match(keptLacks('Dockerfile', 'FROM a AS base\n', gen) ?? '', /^the stages builder, dev /);
  const compose = 'name: x\nservices:\n  uno:\n    image: a\n  all:\n    image: b\nvolumes:\n  v: {}\n';
  assert.is(keptLacks('compose.build.yaml', compose.replace('image: a', 'image: c'), compose), null);
  assert.match(keptLacks('compose.build.yaml', 'services:\n  uno:\n    image: a\n', compose) ?? '', /^the services all /);
  assert.is(keptLacks('docker/entrypoint.sh', 'x', 'y'), null);
});

test.run();
