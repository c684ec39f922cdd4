import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { envFileValues, redact, redactSetting } from '../src/core/safety/redact.js';

test('URL user-info is hidden, host and path kept', () => {
  const out = redact('--build-arg PIP_INDEX_URL=http://u:SECRET@127.0.0.1:1/simple and https://tok@example.invalid/x');
  assert.not.match(out, /SECRET/);
  assert.not.match(out, /tok@/);
  assert.match(out, /http:\/\/\*\*\*@127\.0\.0\.1:1\/simple/);
  assert.match(out, /https:\/\/\*\*\*@example\.invalid\/x/);
});

test('credential-named assignments lose their value, others keep it', () => {
  const out = redact('TWINE_PASSWORD=abc123 GITHUB_TOKEN: "ghp x" BASE_IMAGE=debian:bookworm');
  assert.not.match(out, /abc123/);
  assert.not.match(out, /ghp x/);
  assert.match(out, /BASE_IMAGE=debian:bookworm/);
});

test('prose that names a credential is left alone; lower-case name=value settings are not', () => {
  const line = 'note: PIP_INDEX_URL holds a user or token: verify passes it as a build argument';
  assert.is(redact(line), line);
  assert.is(redact('https://h/x?api_key=abc123&x=1 password=hunter2'), 'https://h/x?api_key=***&x=1 password=***');
});

test('known values from an env file are hidden, even inside an unterminated quote', () => {
  const env = 'A=1\n# comment\nDB_PASS="hunter2-S3cr3t\nHOST=db.local\n';
  const known = envFileValues(env);
  assert.equal(known, ['1', 'hunter2-S3cr3t', 'db.local']);
  const out = redact('cannot load: old: line 2: unterminated quoted value "hunter2-S3cr3t', known);
  assert.not.match(out, /hunter2/);
  assert.match(out, /line 2/);
});

test('redactSetting shows the name and a safe value', () => {
  assert.is(redactSetting('PIP_INDEX_URL', 'http://u:p@h/simple'), 'http://***@h/simple');
  assert.is(redactSetting('PYPI_TOKEN', 'pypi-abc'), '***');
  assert.is(redactSetting('BASE_IMAGE', 'x:y'), 'x:y');
});

test.run();
