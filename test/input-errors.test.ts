// Inputs that are wrong in kind rather than content, through the real CLI: a folder argument that is
// a device or holds nothing, a state file from a newer version, a --timeout Node's timers cannot hold.
// Each is one `error:` line with exit 2 and nothing written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TOOL_VERSION } from '../src/core/paths.js';
import { compareVersions } from '../src/pipeline/state.js';
import { readState, removeProject, runCli, snapshot, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const dirs: string[] = [];
test.after(() => dirs.forEach(removeProject));
const project = (files: Record<string, string> = { 'platformio.ini': TWO_ENVS_INI }) => {
  const dir = tempProject(files);
  dirs.push(dir);
  return dir;
};

/** Exit 2, one `error:` line (and --help's hint for an argument's syntax), nothing else, no stack. */
function oneError(args: string[], cwd: string, re: RegExp): void {
  const r = runCli(args, cwd);
  assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  assert.is(r.stdout, '', args.join(' '));
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.filter((l) => l.startsWith('error: ')).length, 1, r.stderr);
  assert.ok(lines.every((l) => l.startsWith('error: ') || l === 'Run create-pio-docker --help for usage.'), r.stderr);
  assert.match(lines[0], re);
}

test('envs, project, verify and update on a device or a missing folder: "is not a folder" / "no such folder"', () => {
  const cwd = project();
  for (const cmd of ['envs', 'project', 'verify', 'update']) {
    oneError([cmd, '/dev/null'], cwd, /^error: \/dev\/null is not a folder$/);
    oneError([cmd, join(cwd, 'nowhere')], cwd, /^error: .*\/nowhere: no such folder$/);
  }
});

test('project /proc and an empty folder: no project found (what it looks for), never an lstat error from deep inside', () => {
  oneError(['project', '/proc'], project(), /^error: no project found in \/proc \(it looks for platformio\.ini; go\.mod; pyproject\.toml or setup\.py with a compiled extension, in the folder and up to 3 folders below\)/);
  const empty = project({ 'README.md': 'nothing to build here\n' });
  oneError(['project', '--json', empty], empty, /^error: no project found in /);
  oneError(['envs', '/proc'], empty, /^error: no platformio\.ini in \/proc$/);
});

test('a state file from a newer version is refused with the version it needs; nothing is regenerated', () => {
  const dir = project();
  assert.is(runCli(['--yes'], dir).code, 0);
  const state = readState(dir);
  const newer = TOOL_VERSION.replace(/^(\d+)\.(\d+)\..*$/, (_, major, minor) => `${major}.${Number(minor) + 1}.0`);
  writeFileSync(join(dir, '.create-pio-docker.json'), `${JSON.stringify({ ...state, toolVersion: newer }, null, 2)}\n`);
  const before = snapshot(dir);
  const needs = new RegExp(`^error: \\.create-pio-docker\\.json was written by create-pio-docker ${newer.replace(/\./g, '\\.')}, newer than this one \\(${TOOL_VERSION.replace(/\./g, '\\.')}\\): run ${newer.replace(/\./g, '\\.')} or later, e\\.g\\. npx create-pio-docker@${newer.replace(/\./g, '\\.')}$`);
  for (const args of [['update'], ['update', '--dry-run'], ['--yes'], ['--yes', '--force'], ['envs'], ['verify']]) oneError(args, dir, needs);
  assert.equal(snapshot(dir), before);
  // The same version and older ones are read as before.
  writeFileSync(join(dir, '.create-pio-docker.json'), `${JSON.stringify({ ...state, toolVersion: '0.1.0' }, null, 2)}\n`);
  assert.is(runCli(['update', '--dry-run'], dir).code, 0);
});

test('compareVersions: semantic version order, pre-releases first, anything else compares equal', () => {
  const ordered = ['0.1.0', '0.2.0-alpha', '0.2.0-alpha.1', '0.2.0-alpha.beta', '0.2.0-beta.2', '0.2.0-beta.11', '0.2.0-rc.1', '0.2.0', '0.2.1', '0.10.0', '1.0.0'];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) assert.is(Math.sign(compareVersions(ordered[i], ordered[j])), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
  }
  assert.is(compareVersions('next', '0.2.0'), 0);
  assert.is(compareVersions('0.2.0+build.5', '0.2.0'), 0);
});

test('verify --timeout: 99999999999999999999999 (beyond Node timers) and 0 are one line naming the range; 86400 is taken', () => {
  const dir = project();
  for (const t of ['99999999999999999999999', '86401', '2147484', '0', '1.5']) oneError(['verify', '--timeout', t, dir], dir, /^error: --timeout takes a number of seconds from 1 to 86400 \(24 hours\), not "/);
  const help = runCli(['verify', '--help'], dir).stdout;
  assert.match(help, /--timeout SECONDS +limit for each build and container step, 1 to 86400/);
});

test.run();
