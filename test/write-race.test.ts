// The write path under a hostile repository owner: root runs the real CLI in a repository owned by
// uid 4242 while 4242 swaps `docker/` for a symlink to a folder outside (test/helpers/swapper.py),
// 50 runs per race. Nothing may be written or re-owned outside the repository, and no temp file may
// be left anywhere. Also: a killed run's temp files are removed by the next run, and a signal during
// the write ends with one line and 128+signal, nothing written. Needs root (CI runs as root).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, watch, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, runCli, runCliAsync, snapshot, TWO_ENVS_INI, type CliResult } from './helpers/cli.js';

const OWNER = { uid: 4242, gid: 4243 };
const RUNS = Number(process.env.CPD_RACE_RUNS ?? 50);
const SWAPPER = join(ROOT, 'test/helpers/swapper.py');
const isRoot = process.getuid?.() === 0;
const hasPython = spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).renameat2'], { stdio: 'ignore' }).status === 0;
const TEMP = /\.cpd-\d+-[0-9a-f]+\.(tmp|old)$/;

/** Runs `fn` only as root with python3 (ctypes, glibc's renameat2); otherwise one line says why not. */
const needsRoot = (fn: () => Promise<void> | void) => async () => {
  if (!isRoot || !hasPython) {
    console.log(`  (skipped: ${!isRoot ? 'needs root (it plays root in another user\'s repository)' : 'needs python3 with glibc renameat2'})`);
    return;
  }
  await fn();
};

/** A world-traversable temp folder (mkdtemp makes 0700 folders the owner could not enter). */
function base(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-race-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** A fresh PlatformIO project owned by 4242, inside `parent`. */
function ownedRepo(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'platformio.ini'), TWO_ENVS_INI);
  chownTree(dir, OWNER);
  return dir;
}

function chownTree(p: string, ids: { uid: number; gid: number }): void {
  lchownSync(p, ids.uid, ids.gid);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), ids);
}

/** An outside folder with one file, and how to tell that nothing in it changed (contents, owner, mode). */
function outsideFolder(parent: string, name: string, owner: { uid: number; gid: number } | null, mode = 0o755) {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'sentinel'), 'untouched\n');
  if (owner) chownTree(dir, owner);
  chmodSync(dir, mode);
  const facts = () => {
    const st = lstatSync(dir);
    const entries = readdirSync(dir).sort();
    const s = lstatSync(join(dir, 'sentinel'));
    return { entries, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, sentinel: `${readFileSync(join(dir, 'sentinel'), 'utf8')} ${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}` };
  };
  return { dir, before: facts(), facts };
}

/** Temp and backup files of the apply step anywhere below `dir` (no link followed). */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (TEMP.test(e.name)) out.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Starts the swapper as the owner; resolves once it runs. */
async function startSwapper(mode: 'exchange' | 'aside', repo: string, target: string, name = 'docker', spins: [number, number] = [300, 3000]): Promise<{ child: ChildProcess; done: Promise<string> }> {
  const child = spawn('python3', [SWAPPER, mode, repo, name, target, String(OWNER.uid), String(OWNER.gid), '20', ...spins.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const done = new Promise<string>((resolve) => {
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => (out.includes('ready') ? resolve() : out.length && !out.startsWith('r') ? reject(new Error(out)) : setTimeout(check, 5));
    check();
  });
  return { child, done };
}

/** The unexpected-error path (a stack, "This is a bug") must never be taken. */
const noBug = (r: CliResult) => assert.not.match(r.stderr, /unexpected error|^\s+at /m, r.stderr);

interface Tally {
  ok: number;
  refused: number;
  swaps: number;
}

/** `runs` scaffolds of fresh repos, each under a fresh swapper; checks the outside folder after each. */
async function race(mode: 'exchange' | 'aside', outsideOwner: { uid: number; gid: number } | null, args: string[], runs: number): Promise<Tally> {
  const parent = base();
  const tally: Tally = { ok: 0, refused: 0, swaps: 0 };
  try {
    const out = outsideFolder(parent, 'outside', outsideOwner);
    for (let i = 0; i < runs; i++) {
      const repo = ownedRepo(parent, `repo-${i}`);
      const sw = await startSwapper(mode, repo, out.dir);
      const r = await runCliAsync(['--yes', ...args], repo);
      sw.child.kill('SIGTERM');
      const said = await sw.done;
      tally.swaps += Number(said.match(/swaps (\d+)/)?.[1] ?? 0);
      noBug(r);
      if (r.code === 0) tally.ok++;
      else tally.refused++;
      assert.equal(out.facts(), out.before, `run ${i}: the outside folder changed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
      assert.equal([...leftovers(repo), ...leftovers(out.dir)], [], `run ${i}: temp files left (exit ${r.code}):\n${r.stderr}`);
      rmSync(repo, { recursive: true, force: true });
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
  // A race where nothing was swapped, or no run got to write, tested nothing.
  assert.ok(tally.swaps > 0 && tally.ok > 0, `the race never happened: ${JSON.stringify(tally)}`);
  return tally;
}

const line = (what: string, t: Tally) => console.log(`  ${what}: ${t.ok} written, ${t.refused} refused, ${t.swaps} swaps`);

test(
  `root in a repo owned by 4242, docker/ exchanged (RENAME_EXCHANGE) with a link to 4242's folder outside, ${RUNS} runs: nothing written or re-owned outside, no temp left`,
  needsRoot(async () => {
    line('exchange', await race('exchange', OWNER, [], RUNS));
  }),
);

test(
  `root in a repo owned by 4242, each new docker/ moved aside and replaced by a link to a root-owned folder, ${RUNS} runs: nothing written or re-owned outside, no temp left`,
  needsRoot(async () => {
    line('move aside', await race('aside', null, [], RUNS));
  }),
);

test(
  `the same two races with --as-root (no privilege drop: the descriptor walk alone), ${Math.ceil(RUNS / 5)} runs each`,
  needsRoot(async () => {
    line('exchange --as-root', await race('exchange', OWNER, ['--as-root'], Math.ceil(RUNS / 5)));
    line('move aside --as-root', await race('aside', null, ['--as-root'], Math.ceil(RUNS / 5)));
  }),
);

test(
  `update --dry-run while scripts/ is exchanged with a link to a root-only folder, ${RUNS} runs (half with --as-root): the root-only files are never read`,
  needsRoot(async () => {
    const parent = base();
    try {
      const secret = outsideFolder(parent, 'secret', null, 0o700);
      const names = ['build-docker.sh', 'local-ci.sh', 'test-persistent-volumes.sh'];
      for (const f of names) writeFileSync(join(secret.dir, f), 'TOPSECRET root-only\n', { mode: 0o600 });
      const secretBefore = secret.facts();
      const repo = ownedRepo(parent, 'repo');
      const first = runCli(['--yes'], repo);
      assert.is(first.code, 0, first.stderr);
      // A read shows in the access time (relatime updates an atime older than the mtime).
      const OLD = new Date('2000-01-01T00:00:00Z');
      let diffs = 0;
      for (let i = 0; i < RUNS; i++) {
        for (const f of names) utimesSync(join(secret.dir, f), OLD, statSync(join(secret.dir, f)).mtime);
        const sw = await startSwapper('exchange', repo, secret.dir, 'scripts', [3000, 3000]);
        // --project-name changes the scripts, so their diff would show what was read.
        const r = await runCliAsync(['update', '--dry-run', '--project-name', 'other', ...(i % 2 ? ['--as-root'] : [])], repo);
        sw.child.kill('SIGTERM');
        await sw.done;
        noBug(r);
        if (r.stdout.includes('+++ b/scripts/')) diffs++;
        assert.not.match(r.stdout + r.stderr, /TOPSECRET/, `run ${i}: a root-only file was printed`);
        for (const f of names) assert.is(statSync(join(secret.dir, f)).atime.getTime(), OLD.getTime(), `run ${i}: ${f} was read (exit ${r.code})`);
        assert.ok(lstatSync(join(repo, 'scripts')).isDirectory(), 'the swapper leaves scripts/ in place');
      }
      assert.equal(leftovers(parent), []);
      assert.equal(secret.facts(), secretBefore);
      console.log(`  update --dry-run: ${RUNS} runs, ${diffs} printed the scripts' diff`);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }),
);

test(
  'root in a repo owned by 4242 runs as 4242: new files belong to the owner, and one line says so; --as-root keeps root',
  needsRoot(() => {
    const parent = base();
    try {
      const repo = ownedRepo(parent, 'repo');
      const r = runCli(['--yes'], repo);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stderr, /^running as 4242:4243, the owner of .+ \(--as-root keeps root\)$/m);
      for (const [path] of snapshot(repo)) {
        const st = lstatSync(join(repo, path));
        assert.equal([st.uid, st.gid], [OWNER.uid, OWNER.gid], path);
      }
      for (const d of ['docker', 'scripts', '.github']) assert.equal([lstatSync(join(repo, d)).uid, lstatSync(join(repo, d)).gid], [OWNER.uid, OWNER.gid], d);
      // A folder the owner cannot write: the owner's permissions apply, one line, nothing changed.
      const locked = ownedRepo(parent, 'locked');
      mkdirSync(join(locked, 'docker'));
      chmodSync(join(locked, 'docker'), 0o555);
      const denied = runCli(['--yes'], locked);
      assert.is(denied.code, 1, denied.stderr);
      assert.match(denied.stderr, /error: docker\/.+: permission denied\nNothing was changed\.\n$/);
      assert.equal([...snapshot(locked).keys()], ['platformio.ini']);
      // --as-root: root writes (a root-owned folder stays writable), new files still go to the owner.
      const kept = runCli(['--yes', '--as-root'], locked);
      assert.is(kept.code, 0, kept.stderr);
      assert.not.match(kept.stderr, /running as/);
      const st = lstatSync(join(locked, 'docker/entrypoint.sh'));
      assert.equal([st.uid, st.gid], [OWNER.uid, OWNER.gid]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }),
);

test('temp files a killed run left are removed by the next run: only the tool\'s own names, in computed folders, regular files of ours', () => {
  const parent = base();
  try {
    const repo = join(parent, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'platformio.ini'), TWO_ENVS_INI);
    const first = runCli(['--yes'], repo);
    assert.is(first.code, 0, first.stderr);
    const stale = ['docker/.entrypoint.sh.cpd-4000001-0a1b2c3d.tmp', '.Dockerfile.cpd-4000002-deadbeef.tmp', '..create-pio-docker.json.cpd-4000003-00ff00ff.tmp'];
    const kept = [
      'docker/.notgenerated.cpd-4000001-0a1b2c3d.tmp', // not a computed file's name
      `docker/.entrypoint.sh.cpd-${process.pid}-0a1b2c3d.tmp`, // a run still alive (this process) may own it
      'src/.main.cpp.cpd-4000001-0a1b2c3d.tmp', // not a computed folder
      'docker/.entrypoint.sh.cpd-4000001-0a1b2c3d.old', // a killed run's backup: the user's file before it
      'docker/.entrypoint.sh.cpd-4000001-0a1b2c3.tmp', // not the pattern (7 hex digits)
    ];
    for (const f of [...stale, ...kept]) {
      mkdirSync(join(repo, f, '..'), { recursive: true });
      writeFileSync(join(repo, f), 'half-written\n');
    }
    const foreign = 'docker/.as-user.cpd-4000004-11111111.tmp'; // another user's file
    writeFileSync(join(repo, foreign), 'theirs\n');
    if (isRoot) chownSync(join(repo, foreign), OWNER.uid, OWNER.gid);
    const link = '.dockerignore.cpd-4000005-22222222.tmp'; // a symlink, never followed or removed
    symlinkSync(join(repo, 'platformio.ini'), join(repo, link));
    const dirNamed = 'scripts/.build-docker.sh.cpd-4000006-33333333.tmp'; // a folder
    mkdirSync(join(repo, dirNamed));
    const r = runCli(['update'], repo);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Nothing changed\./m);
    const said = r.stderr.match(/^removed 3 temp files that an interrupted run left: (.+)$/m);
    assert.ok(said, r.stderr);
    assert.equal(said![1].split(', ').sort(), [...stale].sort());
    for (const f of stale) assert.not.ok(existsSync(join(repo, f)), `${f} removed`);
    for (const f of [...kept, ...(isRoot ? [foreign] : []), dirNamed]) assert.ok(existsSync(join(repo, f)), `${f} kept`);
    assert.ok(lstatSync(join(repo, link)).isSymbolicLink());
    assert.is(readFileSync(join(repo, 'platformio.ini'), 'utf8'), TWO_ENVS_INI);
    // dry runs and --check write (and remove) nothing
    writeFileSync(join(repo, stale[0]), 'half-written\n');
    for (const args of [['update', '--dry-run'], ['update', '--check']]) {
      const d = runCli(args, repo);
      assert.is(d.code, 0, d.stderr);
      assert.ok(existsSync(join(repo, stale[0])), args.join(' '));
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('without /proc/self/fd (not mounted): one line, exit 1, nothing written', () => {
  const parent = base();
  try {
    const repo = join(parent, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'platformio.ini'), TWO_ENVS_INI);
    // A mount namespace of its own, with /proc unmounted (root only; elsewhere the test says why not).
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'umount -l /proc && exec "$0" "$@"', process.execPath, BIN, '--yes'], { cwd: repo, encoding: 'utf8' });
    if (r.status !== 1 && /unshare|umount/.test(r.stderr)) {
      console.log(`  (skipped: cannot unmount /proc in a namespace here: ${r.stderr.trim().split('\n')[0]})`);
      return;
    }
    assert.is(r.status, 1, r.stderr);
    assert.is(r.stderr, 'error: cannot work safely here: /proc/self/fd is not available (Linux with /proc mounted is needed: every file is read and written relative to a folder already opened and checked)\nNothing was changed.\n');
    assert.equal(readdirSync(repo), ['platformio.ini']);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

/**
 * Scaffolds a fresh project and delivers `signal` while the write is under way: the CLI is stopped
 * (SIGSTOP) at its first change in the project, the signal queued, then it continues. Retries when
 * the write had already finished by then. Returns the result and the project (the caller removes it).
 */
async function signalDuringWrite(parent: string, signal: NodeJS.Signals): Promise<{ r: CliResult; repo: string }> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const repo = join(parent, `repo-${signal}-${attempt}`);
    mkdirSync(repo);
    writeFileSync(join(repo, 'platformio.ini'), TWO_ENVS_INI);
    const child = spawn(process.execPath, [BIN, '--yes'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let fired = false;
    let midWrite = false;
    const watcher = watch(repo, () => {
      if (fired || child.exitCode !== null) return;
      fired = true;
      child.kill('SIGSTOP');
      // The state file is renamed in last: while it is absent, the write is under way.
      midWrite = !existsSync(join(repo, '.create-pio-docker.json'));
      child.kill(signal);
      child.kill('SIGCONT');
    });
    const code = await new Promise<number>((resolve) => child.on('close', (c, s) => resolve(c ?? 128 + (s ? constants.signals[s] : 0))));
    watcher.close();
    if (midWrite) return { r: { code, stdout, stderr }, repo };
    rmSync(repo, { recursive: true, force: true });
  }
  throw new Error(`the write was never caught under way in 30 attempts (${signal})`);
}

test('SIGTERM, SIGINT or SIGHUP during the write: the write is undone, one line, exit 128+signal, no temp left', async () => {
  const parent = base();
  try {
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
      const { r, repo } = await signalDuringWrite(parent, signal);
      assert.is(r.code, code, `${signal}: exit ${r.code}\n${r.stdout}${r.stderr}`);
      assert.is(r.stderr, `Cancelled (${signal}): nothing written.\n`, signal);
      assert.equal([...snapshot(repo).keys()], ['platformio.ini'], `${signal}: nothing written`);
      assert.equal(readdirSync(repo), ['platformio.ini'], `${signal}: no folder left`);
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test.run();
