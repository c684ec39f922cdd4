// .devcontainer/devcontainer.json and --serial without an engine: what is rendered (the compose
// shell service, the workspace folder of a subfolder project, entrypoint kept, stable JSON), that
// the file goes through the one pipeline (scaffold again and `update` keep a user's edit in it), that
// state files written before these answers existed still load, and that the compose files with
// --serial pass `docker compose config`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultAnswers, type Answers } from '../src/core/answers.js';
import { FILES, STATE_FILE } from '../src/core/paths.js';
import { renderAll } from '../src/pipeline/render.js';
import { readState, removeProject, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const base = (over: Partial<Answers> = {}): Answers => ({ ...defaultAnswers('demo-fw', [{ name: 'uno', board: 'uno', platform: 'atmelavr' }]), ...over });
const devcontainerOf = (a: Answers) => renderAll(a).find((f) => f.path === FILES.devcontainer);
const composeOf = (a: Answers) => parse(renderAll(a).find((f) => f.path === FILES.composeBuild)!.content, { merge: true });

test('devcontainer.json is the compose shell service: entrypoint kept, image user renumbered, PlatformIO IDE, PIO Home forwarded', () => {
  const f = devcontainerOf(base())!;
  assert.ok(f, 'rendered by default');
  assert.ok(f.content.endsWith('}\n'), 'trailing newline');
  const j = JSON.parse(f.content);
  assert.equal(j.dockerComposeFile, [`../${FILES.composeBuild}`]);
  assert.is(j.service, 'shell');
  assert.equal(j.runServices, ['shell']);
  const shell = composeOf(base()).services.shell;
  assert.ok(shell, 'the service exists in the compose file');
  assert.is(j.workspaceFolder, shell.working_dir, 'the editor opens where the builds run');
  assert.is(j.overrideCommand, false);
  assert.is(j.init, true);
  assert.is(j.remoteUser, base().user.name);
  assert.is(j.containerUser, undefined, 'the container starts as root so the entrypoint runs its fixes');
  assert.is(j.updateRemoteUserUID, true);
  assert.equal(j.forwardPorts, [8008]);
  assert.equal(j.customizations.vscode.extensions, ['platformio.platformio-ide', 'ms-vscode.cpptools']);
  assert.is(f.content, devcontainerOf(base())!.content, 'rendering twice gives the same bytes');
});

test('a project in a subfolder: the dev container opens the subfolder; --devcontainer no: no file', () => {
  const j = JSON.parse(devcontainerOf(base({ projectDir: 'firmware' }))!.content);
  assert.is(j.workspaceFolder, '/workspace/firmware');
  assert.is(devcontainerOf(base({ devcontainer: false })), undefined);
});

test('--serial: only the shell service gets the boards; compose config passes', () => {
  const none = composeOf(base()).services;
  assert.is(none.shell.device_cgroup_rules, undefined);
  const dev = composeOf(base({ serial: 'dev' })).services;
  assert.ok(dev.shell.volumes.includes('/dev:/dev'));
  assert.equal(dev.shell.device_cgroup_rules, ['c 188:* rmw', 'c 166:* rmw', 'c 189:* rmw']);
  assert.is(dev.uno.device_cgroup_rules, undefined, 'builds get no devices');
  assert.not.ok(dev.uno.volumes.includes('/dev:/dev'));
  const devices = composeOf(base({ serial: 'devices' })).services;
  assert.equal(devices.shell.devices, ['${SERIAL_DEVICE:-/dev/ttyUSB0}:${SERIAL_DEVICE:-/dev/ttyUSB0}']);
  assert.is(devices.shell.environment.HOST_UID, '${HOST_UID:-}', 'the shared environment is kept');
  for (const serial of ['dev', 'devices'] as const) {
    const dir = tempProject({ [FILES.composeBuild]: renderAll(base({ serial })).find((f) => f.path === FILES.composeBuild)!.content });
    try {
      const r = spawnSync('docker', ['compose', '-f', FILES.composeBuild, '--profile', 'shell', 'config', '-q'], { cwd: dir, encoding: 'utf8' });
      assert.is(r.status, 0, `docker compose config (--serial ${serial}):\n${r.stderr}`);
    } finally {
      removeProject(dir);
    }
  }
});

test('the CLI: flags are checked; the file is scaffolded, and scaffold again and update keep an edit in it', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    const bad = runCli(['--yes', '--serial', 'usb'], dir);
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--serial takes none or dev or devices, not "usb"/);
    const r = runCli(['--yes'], dir);
    assert.is(r.code, 0, r.stderr);
    const path = join(dir, FILES.devcontainer);
    const text = readFileSync(path, 'utf8');
    const edited = text.replace('"ms-vscode.cpptools"', '"ms-vscode.cpptools",\n        "marus25.cortex-debug"');
    assert.is.not(edited, text);
    writeFileSync(path, edited);
    const again = runCli(['--yes'], dir);
    assert.is(again.code, 0, again.stderr);
    assert.is(readFileSync(path, 'utf8'), edited, 'scaffold again keeps the edit');
    const up = runCli(['update', '--serial', 'dev'], dir);
    assert.is(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.is(readFileSync(path, 'utf8'), edited, 'update keeps the edit');
    assert.match(readFileSync(join(dir, FILES.composeBuild), 'utf8'), /c 188:\* rmw/, 'update applied --serial dev');
    assert.is(readState(dir).answers.serial, 'dev');
  } finally {
    removeProject(dir);
  }
});

test('a state file an older version wrote, without these answers, still loads: update adds the dev container', () => {
  const dir = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  try {
    assert.is(runCli(['--yes', '--devcontainer', 'no'], dir).code, 0);
    assert.not.ok(existsSync(join(dir, FILES.devcontainer)));
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'));
    delete state.answers.devcontainer;
    delete state.answers.serial;
    // As an older version wrote it: the merge base is then its packed copy (no devcontainer.json).
    state.toolVersion = '0.1.9';
    writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    const up = runCli(['update'], dir);
    assert.is(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.ok(existsSync(join(dir, FILES.devcontainer)), 'the default (yes) applies to old answers');
    assert.equal([readState(dir).answers.devcontainer, readState(dir).answers.serial], [true, 'none']);
  } finally {
    removeProject(dir);
  }
});

test.run();
