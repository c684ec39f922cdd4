// askForX precedence: flag > stored answer > --yes default > prompt; without a TTY, missing
// answers are collected and named by flag.
import { presetById, PRESETS } from '../src/presets/index.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { askAll, type AskContext, type Question } from '../src/capabilities/questions.js';
import { AnswersError, CHECKS, defaultAnswers } from '../src/core/answers.js';
import { ANSWERS, answerSpec } from '../src/cli/flags.js';

const project = {
  name: 'demo-fw',
  envs: [
    { name: 'uno', board: 'uno', platform: 'atmelavr' },
    { name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' },
  ],
};

function ctx(over: Partial<AskContext>, replies: Record<string, unknown> = {}): AskContext & { asked: string[] } {
  const asked: string[] = [];
  return {
    flags: {},
    project,
    yes: false,
    interactive: true,
    asked,
    prompt: async (q: Question) => {
      asked.push(q.name);
      return q.name in replies ? replies[q.name] : q.type === 'checkbox' ? (q.choices ?? []).filter((c) => c.checked).map((c) => c.value) : q.default;
    },
    ...over,
  };
}

test('--yes takes defaults: all envs in given order, pinned versions, no self-hosted runners', async () => {
  const c = ctx({ yes: true, interactive: false });
  const a = await askAll(c);
  assert.equal(a, defaultAnswers('demo-fw', project.envs));
  assert.equal(c.asked, []);
});

test('a TTY prompts only for what flags did not answer; runner counts only for github', async () => {
  const c = ctx({ flags: { baseImage: 'debian:bookworm', runners: 'none' } }, { envs: ['esp32dev'], tools: ['cppcheck'], uid: '2000' });
  const a = await askAll(c);
  assert.equal(c.asked, ['envs', 'platformio-version', 'user', 'uid', 'gid', 'tools', 'image', 'registry', 'platforms', 'ci', 'devcontainer', 'serial']);
  assert.equal(a.envs, [project.envs[1]]);
  assert.is(a.baseImage, 'debian:bookworm');
  assert.is(a.user.uid, 2000);
  assert.equal(a.tools, ['cppcheck']);
  assert.equal(a.runners, { kind: 'none', dev: 0, prod: 0, labels: [] });
});

test('stored answers are reused without asking; flags override them', async () => {
  const stored = { ...defaultAnswers('demo-fw', [project.envs[0]]), baseImage: 'stored:1' };
  const c = ctx({ stored, flags: { platformioVersion: '6.1.0' } });
  const a = await askAll(c);
  assert.equal(c.asked, []);
  assert.is(a.baseImage, 'stored:1');
  assert.is(a.platformioVersion, '6.1.0');
  assert.equal(a.envs, [project.envs[0]]);
});

test('no TTY, no --yes: every missing answer is named by its flag', async () => {
  try {
    await askAll(ctx({ interactive: false, flags: { envs: [{ name: 'uno', board: null, platform: null }], runners: 'none' } }));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, AnswersError);
    assert.match((e as Error).message, /missing answers: --base-image, --platformio-version, --user, --uid, --gid, --tools, --image, --registry, --platforms, --ci, --devcontainer, --serial \(pass them, or --yes/);
  }
});

test('--envs takes boards from platformio.ini unless given; unknown envs are refused', async () => {
  const a = await askAll(ctx({ yes: true, flags: { envs: [{ name: 'esp32dev', board: null, platform: null }, { name: 'uno', board: 'nano', platform: null }] } }));
  assert.equal(a.envs, [project.envs[1], { name: 'uno', board: 'nano', platform: 'atmelavr' }]);
  try {
    await askAll(ctx({ yes: true, flags: { envs: [{ name: 'teensy', board: null, platform: null }] } }));
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, /does not define: teensy \(known: uno, esp32dev\)/);
  }
});

test('no platformio.ini: --envs is required even with --yes (no TTY)', async () => {
  try {
    await askAll(ctx({ yes: true, interactive: false, project: { name: 'x', envs: null } }));
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, /no platformio\.ini found: pass --envs/);
  }
  const c = ctx({ project: { name: 'x', envs: null } }, { envs: 'pico:rpipico' });
  const a = await askAll({ ...c, yes: false });
  assert.equal(a.envs, [{ name: 'pico', board: 'rpipico', platform: null }]);
});

test('200+ envs: one key picks the default envs; the list is offered only on request', async () => {
  const envs = Array.from({ length: 250 }, (_, i) => ({ name: `board${i}`, board: 'esp32dev', platform: 'espressif32' }));
  const big = { name: 'big-fw', envs, defaults: ['board7', 'board9'] };
  const c = ctx({ project: big }, { 'envs-scope': 'defaults' });
  const a = await askAll(c);
  assert.equal(a.envs.map((e) => e.name), ['board7', 'board9']);
  assert.not.ok(c.asked.includes('envs'));
  const listed: Question[] = [];
  const c2 = ctx({ project: big, prompt: async (q) => (listed.push(q), q.name === 'envs-scope' ? 'choose' : q.name === 'envs' ? ['board3'] : q.default) });
  const b = await askAll(c2);
  assert.equal(b.envs.map((e) => e.name), ['board3']);
  const list = listed.find((q) => q.name === 'envs')!;
  assert.match(list.message, /250/);
  assert.equal(list.choices!.filter((x) => x.checked).map((x) => x.value), ['board7', 'board9'], 'the default envs come pre-selected');
  assert.match(list.choices![7].name, /\[default\]/);
  assert.is(list.validate!([]), 'at least one env is needed', 'an empty choice is asked again');
});

test('one table: every answer has a flag with help, a check, and its prompt text comes from there', async () => {
  for (const a of ANSWERS) {
    assert.ok(a.name in CHECKS, `--${a.name} has no check`);
    assert.ok(a.help.length > 0);
  }
  const seen: Question[] = [];
  // runners turned on, so their counts are asked too
  await askAll(ctx({ prompt: async (q) => (seen.push(q), q.name === 'runners' ? 'github' : q.type === 'checkbox' ? (q.choices ?? []).filter((c) => c.checked).map((c) => c.value) : q.default) }));
  for (const q of seen) assert.ok(q.message.startsWith(answerSpec(q.name).prompt!.message), `${q.name}: "${q.message}"`);
  // PlatformIO's questions all asked; every other prompted answer is some preset's (or the preset itself).
  const pio = presetById('platformio').questions;
  assert.is(seen.length, ANSWERS.filter((a) => a.prompt && pio.includes(a.name)).length, 'every answer with a prompt was asked');
  for (const a of ANSWERS.filter((x) => x.prompt)) assert.ok(a.name === 'preset' || PRESETS.some((p) => p.questions.includes(a.name)), `--${a.name} has a prompt but no preset asks it`);
});

test.run();
