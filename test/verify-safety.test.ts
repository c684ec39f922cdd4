// verify never changes anything outside its own copies, and never ends in a stack trace:
// - the firmware check's project copy neither follows nor re-owns symlinks out of the project;
// - the build context sends symlinks as symlinks and reads no FIFO or device;
// - bad input (--target, --json, project files) fails up front with one `error:` line, exit 2,
//   before connecting to an engine (DOCKER_HOST=unix:///nonexistent would be the error otherwise).
// No engine needed.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import tar from 'tar-stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { contextEntries, contextTar } from '../src/engine/build.js';
import { describeSkipped, hostDir, lchownTree } from '../src/verify/host-copy.js';
import { checkReportPath, VerifyInputError, writeReportFile } from '../src/verify/input.js';
import { ROOT, runCli, tempProject, TWO_ENVS_INI } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'cpd-verify-safety-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const IDS = { uid: 4242, gid: 4243 };
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent' };

const mkfifo = (path: string) => {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr}`);
};

/** path -> owner, mode, and contents or link target of every entry below (and including) dir, by lstat. */
function lsnapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const st = lstatSync(p);
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isFile() ? readFileSync(p, 'utf8') : st.isDirectory() ? 'dir' : 'special';
    out.set(relative(dir, p) || '.', `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)} ${what}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return out;
}

/**
 * base/outside (root-owned, 0750, secret.txt 0640) and base/proj with links in and out of it,
 * a dangling link and a FIFO.
 */
function hostileProject(): { base: string; outside: string; proj: string } {
  const base = mkdtempSync(join(tmp, 'host-'));
  const outside = join(base, 'outside');
  mkdirSync(outside, { mode: 0o750 });
  writeFileSync(join(outside, 'secret.txt'), 'top secret\n', { mode: 0o640 });
  if (isRoot) {
    chownSync(outside, 0, 0);
    chownSync(join(outside, 'secret.txt'), 0, 0);
  }
  const proj = join(base, 'proj');
  mkdirSync(join(proj, 'src'), { recursive: true });
  mkdirSync(join(proj, '.git'));
  writeFileSync(join(proj, '.git', 'config'), '[core]\n');
  writeFileSync(join(proj, 'platformio.ini'), TWO_ENVS_INI);
  writeFileSync(join(proj, 'src', 'main.cpp'), 'int main() {}\n');
  writeFileSync(join(proj, 'build.sh'), '#!/bin/sh\n', { mode: 0o755 });
  symlinkSync(outside, join(proj, 'link-out')); // absolute, to a folder outside
  symlinkSync('src/main.cpp', join(proj, 'link-in'));
  symlinkSync('src', join(proj, 'src-dir')); // a folder link inside
  symlinkSync('nowhere/missing', join(proj, 'dangling'));
  symlinkSync('../outside', join(proj, 'up')); // relative, climbing out
  symlinkSync('../../proj/src/main.cpp', join(proj, 'src', 'around')); // leaves and comes back by name
  symlinkSync('.', join(proj, 'here'));
  symlinkSync('here/../outside/secret.txt', join(proj, 'via-here')); // lexically inside, really outside
  mkfifo(join(proj, 'fifo'));
  return { base, outside, proj };
}

// --- the firmware check's project copy ----------------------------------------------------------

const copy = suite('verify safety: project copy');

copy('hostDir copies without following links out of the project and re-owns only the copy (as root, 4242:4243)', () => {
  if (!isRoot) {
    console.log('  (not root: the chown part needs root; checking the copy only)');
  }
  const { base, outside, proj } = hostileProject();
  const before = lsnapshot(base);
  const { dir, skipped } = hostDir(IDS, proj);
  try {
    // Nothing outside the copy changed: the outside folder keeps owner, mode and contents, and so
    // does the project.
    assert.equal(lsnapshot(base), before);
    const out = lstatSync(outside);
    if (isRoot) assert.is(`${out.uid}:${out.gid}`, '0:0');
    assert.is(out.mode & 0o777, 0o750);
    assert.is(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'top secret\n');

    // What was left out, and why; the report names the links.
    const why = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
    assert.equal(Object.keys(why).sort(), ['dangling', 'fifo', 'link-out', 'src/around', 'up', 'via-here']);
    assert.match(why['link-out'], /outside the project/);
    assert.match(why.up, /leaving the project/);
    assert.match(why['src/around'], /leaving the project/);
    assert.match(why['via-here'], /resolving outside the project/);
    assert.match(why.dangling, /dangling/);
    assert.match(why.fifo, /FIFO/);
    const line = describeSkipped(skipped);
    for (const p of ['link-out', 'dangling', 'up', 'fifo']) assert.ok(line.includes(p), `${p} in: ${line}`);

    // The copy: links inside kept as links, regular files copied with their mode, .git left out.
    assert.is(readlinkSync(join(dir, 'link-in')), 'src/main.cpp');
    assert.is(readlinkSync(join(dir, 'src-dir')), 'src');
    assert.is(readlinkSync(join(dir, 'here')), '.');
    assert.is(readFileSync(join(dir, 'link-in'), 'utf8'), 'int main() {}\n');
    assert.is(lstatSync(join(dir, 'build.sh')).mode & 0o777, 0o755);
    for (const gone of ['link-out', 'up', 'dangling', 'fifo', 'via-here', 'src/around', '.git']) assert.not.ok(lstatExists(join(dir, gone)), gone);

    // Every entry of the copy, links themselves included, belongs to the host ids.
    if (isRoot) {
      const owners = [...lsnapshot(dir)].filter(([, v]) => !v.startsWith(`${IDS.uid}:${IDS.gid} `));
      assert.equal(owners, [], 'entries of the copy not owned by 4242:4243');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Removing the copy removed nothing through its links.
  assert.equal(lsnapshot(base), before);
});

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

copy('lchownTree re-owns links, never their targets, and never walks through them', () => {
  if (!isRoot) return console.log('  (skipped: needs root)');
  const { base, outside } = hostileProject();
  const dir = mkdtempSync(join(tmp, 'tree-'));
  mkdirSync(join(dir, 'sub'));
  symlinkSync(outside, join(dir, 'sub', 'to-outside'));
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'to-secret'));
  const before = lsnapshot(base);
  lchownTree(dir, IDS);
  assert.equal(lsnapshot(base), before);
  for (const p of ['.', 'sub', 'sub/to-outside', 'to-secret']) {
    const st = lstatSync(join(dir, p));
    assert.is(`${st.uid}:${st.gid}`, '4242:4243', p);
  }
});

copy.run();

// --- the build context ---------------------------------------------------------------------------

const ctx = suite('verify safety: build context');

/** name -> type, link target or contents, of every entry of a tar stream. */
async function untar(pack: NodeJS.ReadableStream | tar.Pack): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      entries.set(h.name, h.type === 'symlink' ? `symlink -> ${h.linkname}` : h.type === 'directory' ? 'directory' : `file ${Buffer.concat(chunks).toString('utf8')}`);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    (pack as tar.Pack).on('error', reject);
    (pack as tar.Pack).pipe(extract);
  });
  return entries;
}

ctx('contextTar sends symlinks out of the project as symlink entries, reads nothing through them, leaves FIFOs out', async () => {
  const { outside, proj } = hostileProject();
  writeFileSync(join(proj, 'Dockerfile'), 'FROM scratch\n');
  symlinkSync(join(outside, 'secret.txt'), join(proj, 'secret-link'));
  const entries = await untar(contextTar(proj));
  assert.is(entries.get('link-out'), `symlink -> ${outside}`);
  assert.is(entries.get('up'), 'symlink -> ../outside');
  assert.is(entries.get('secret-link'), `symlink -> ${join(outside, 'secret.txt')}`);
  assert.is(entries.get('link-in'), 'symlink -> src/main.cpp');
  assert.is(entries.get('src/main.cpp'), 'file int main() {}\n');
  assert.not.ok(entries.has('fifo'), 'a FIFO is not sent');
  for (const [name, v] of entries) {
    assert.not.ok(name.startsWith('link-out/') || name.startsWith('up/'), `walked through a link: ${name}`);
    assert.not.ok(v.includes('top secret'), `read through a link: ${name}`);
  }
});

ctx('contextEntries refuses a .dockerignore that is a FIFO, a device or a directory, without hanging', () => {
  // In a child with a timeout: reading a FIFO would block it for good.
  const cases: Record<string, (p: string) => void> = {
    fifo: mkfifo,
    device: (p) => symlinkSync('/dev/zero', p),
    directory: (p) => mkdirSync(p),
  };
  for (const [name, make] of Object.entries(cases)) {
    const dir = mkdtempSync(join(tmp, `ignore-${name}-`));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    make(join(dir, '.dockerignore'));
    const code = `import { contextEntries } from ${JSON.stringify(join(ROOT, 'src/engine/build.ts'))};
      try { contextEntries(${JSON.stringify(dir)}); console.log('NO ERROR'); } catch (e) { console.log('ERROR ' + e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.is(r.signal, null, `${name}: contextEntries hung (killed after 30 s)`);
    assert.match(r.stdout, /^ERROR .*\.dockerignore/m, `${name}: ${r.stdout}${r.stderr}`);
  }
  // A regular .dockerignore, also through a link, is honoured.
  const dir = mkdtempSync(join(tmp, 'ignore-ok-'));
  writeFileSync(join(dir, 'patterns'), 'secret.txt\n');
  writeFileSync(join(dir, 'secret.txt'), 'x');
  symlinkSync('patterns', join(dir, '.dockerignore'));
  assert.equal(contextEntries(dir), ['.dockerignore', 'patterns']);
});

ctx.run();

// --- the --json report file -------------------------------------------------------------------

const json = suite('verify safety: --json file');

json('checkReportPath refuses a missing folder, a directory and a device; creates nothing', () => {
  const dir = mkdtempSync(join(tmp, 'json-'));
  const refuse = (p: string, re: RegExp) => {
    try {
      checkReportPath(p);
      assert.unreachable(`${p} should be refused`);
    } catch (e) {
      assert.instance(e, VerifyInputError, `${p}: ${(e as Error).message}`);
      assert.match((e as Error).message, re);
    }
  };
  refuse(join(dir, 'no-such-dir', 'x.json'), /no-such-dir/);
  refuse(dir, /is a directory/);
  refuse('/dev/null', /not a regular file/);
  refuse(join(dir, 'a-file.json', 'x.json'), /a-file\.json|not a folder/);
  assert.is(checkReportPath(join(dir, 'new.json')), join(dir, 'new.json'));
  assert.equal(readdirSync(dir), []);
});

json('writeReportFile replaces the file atomically, keeping its mode, leaving no temp file', () => {
  const dir = mkdtempSync(join(tmp, 'json-'));
  const file = join(dir, 'report.json');
  writeFileSync(file, 'old\n');
  chmodSync(file, 0o600);
  writeReportFile(checkReportPath(file), '{"ok":true}\n', 'abcd');
  assert.is(readFileSync(file, 'utf8'), '{"ok":true}\n');
  assert.is(lstatSync(file).mode & 0o777, 0o600);
  assert.equal(readdirSync(dir), ['report.json']);
  // Through a symlink: the file it points at is replaced, the link stays.
  symlinkSync('report.json', join(dir, 'link.json'));
  writeReportFile(checkReportPath(join(dir, 'link.json')), 'new\n', 'efgh');
  assert.is(readlinkSync(join(dir, 'link.json')), 'report.json');
  assert.is(readFileSync(file, 'utf8'), 'new\n');
  assert.equal(readdirSync(dir).sort(), ['link.json', 'report.json']);
});

json.run();

// --- the CLI: bad input is one line and exit 2, before any engine -----------------------------

const cli = suite('verify safety: CLI');
let scaffolded: string;

cli.before(() => {
  scaffolded = tempProject({ 'platformio.ini': TWO_ENVS_INI });
  const r = runCli(['--yes'], scaffolded);
  assert.is(r.code, 0, r.stderr);
});

cli.after(() => {
  if (scaffolded) rmSync(dirname(scaffolded), { recursive: true, force: true });
});

/** A fresh copy of the scaffolded project, to break. */
function project(): string {
  const dir = join(mkdtempSync(join(tmp, 'proj-')), 'demo-fw');
  cpSync(scaffolded, dir, { recursive: true });
  return dir;
}

function oneErrorLine(r: { code: number; stdout: string; stderr: string }, re: RegExp): void {
  const all = `exit ${r.code}\n${r.stderr}`;
  assert.is(r.code, 2, all);
  assert.not.match(r.stderr, /^\s+at /m, `stack trace:\n${all}`);
  assert.not.match(r.stderr, /unexpected error/, all);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, `one line expected:\n${all}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], re);
  assert.not.match(lines[0], /unix:\/\/\/nonexistent|Docker Engine|DOCKER_HOST/, `failed on the engine, not the input:\n${all}`);
}

cli('verify --target nosuch: one error line naming the stages, exit 2, before connecting', () => {
  const r = runCli(['verify', '--target', 'nosuch'], scaffolded, NO_ENGINE);
  oneErrorLine(r, /nosuch.*stages: .*dev.*builder/);
});

cli('verify --json /nonexistent-dir/x.json: exit 2 about the path, before connecting', () => {
  const r = runCli(['verify', '--json', '/nonexistent-dir/x.json'], scaffolded, NO_ENGINE);
  oneErrorLine(r, /--json \/nonexistent-dir\/x\.json/);
  assert.not.ok(existsSync('/nonexistent-dir'));
});

cli('verify --json DIRECTORY and --json /dev/null: exit 2', () => {
  const dir = mkdtempSync(join(tmp, 'out-'));
  oneErrorLine(runCli(['verify', '--json', dir], scaffolded, NO_ENGINE), /is a directory/);
  oneErrorLine(runCli(['verify', '--json', '/dev/null'], scaffolded, NO_ENGINE), /not a regular file/);
  assert.equal(readdirSync(dir), []);
});

cli('verify --json FILE neither creates nor truncates FILE before the run', () => {
  const dir = mkdtempSync(join(tmp, 'out-'));
  const r = runCli(['verify', '--json', join(dir, 'new.json')], scaffolded, NO_ENGINE);
  assert.is(r.code, 2, r.stderr); // no engine: the run stops before building
  writeFileSync(join(dir, 'old.json'), 'previous report\n');
  runCli(['verify', '--json', join(dir, 'old.json')], scaffolded, NO_ENGINE);
  assert.equal(readdirSync(dir), ['old.json']);
  assert.is(readFileSync(join(dir, 'old.json'), 'utf8'), 'previous report\n');
});

cli('verify with a Dockerfile that is a directory, a broken compose file or a FIFO .dockerignore: one line, exit 2', () => {
  const a = project();
  rmSync(join(a, 'Dockerfile'));
  mkdirSync(join(a, 'Dockerfile'));
  oneErrorLine(runCli(['verify'], a, NO_ENGINE), /Dockerfile is a directory/);

  const b = project();
  writeFileSync(join(b, 'compose.build.yaml'), 'services: [unclosed\n');
  oneErrorLine(runCli(['verify'], b, NO_ENGINE), /compose\.build\.yaml is not valid YAML/);

  const c = project();
  rmSync(join(c, 'compose.images.yaml'));
  mkdirSync(join(c, 'compose.images.yaml'));
  oneErrorLine(runCli(['verify'], c, NO_ENGINE), /compose\.images\.yaml is a directory/);

  const d = project();
  rmSync(join(d, '.dockerignore'));
  mkfifo(join(d, '.dockerignore'));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'create-pio-docker.js'), 'verify'], { cwd: d, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...NO_ENGINE } });
  assert.is(r.signal, null, 'verify hung on a FIFO .dockerignore');
  oneErrorLine({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }, /\.dockerignore is not a regular file/);
});

cli.run();
