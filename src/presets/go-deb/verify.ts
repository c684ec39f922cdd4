// go-deb's verify checks, on the built builder image. The builds run in a copy of the project owned
// by the "host" user (never in the user's checkout) with one fresh cache volume, as
// `docker compose run` does: the entrypoint picks the checkout's owner, Go's proxy settings come
// from verify's own environment. Independent checks run at the same time; the table keeps order.
import { existsSync, lstatSync, openSync, readdirSync, readSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from '../../core/paths.js';
import { describeSkipped, hostDir, hostIds, wrongOwners } from '../../verify/host-copy.js';
import { readInputFile } from '../../verify/input.js';
import { globalArgDefault } from '../../verify/plan.js';
import { ENGINE_HARDENING } from '../../capabilities/hardening.js';
import type { RunResult } from '../../verify/sandbox.js';
import { runStopCheck } from '../../verify/stop.js';
import type { PresetVerifyContext } from '../types.js';
import { goDebOf } from './answers.js';
import { GO_DEB_CHECKS as N } from './checks.js';
import { GO_ENV, goCachePaths, IN_IMAGE, projectPath } from './render.js';

/** Where the checks' builds write, in the project copy. */
const OUT = 'verify-out';
/** How long a command may take to answer --version or --help. */
const ANSWER_MS = 30_000;

/** Go's proxy settings set in verify's environment (an empty one too: it means Go's default). */
export function goEnvOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(GO_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]));
}

// Names only: a proxy URL may hold a user and token.
const describeGoEnv = (e: Record<string, string>) =>
  Object.keys(e).length ? `${Object.entries(e).map(([k, v]) => (v ? k : `${k} (empty: Go's default)`)).join(', ')} from verify's environment` : `no GOPROXY/GOSUMDB/... in verify's environment: Go's defaults`;

/** The last `n` lines of a container's output, for a failed check. */
const tail = (r: RunResult, n = 8) => {
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return `exit ${r.exitCode}: ${lines.slice(-n).join('\n  ') || '(no output)'}`;
};

/** `go: downloading MODULE VERSION` lines: Go prints one per module it fetches (1.19 to today). */
const downloads = (r: RunResult) => `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('go: downloading '));

const isElfExecutable = (p: string): boolean => {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st?.isFile() || !(st.mode & 0o100)) return false;
  const fd = openSync(p, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.toString('latin1') === '\x7fELF';
  } finally {
    closeSync(fd);
  }
};

/** The image to install the .deb in: the base the builder was built FROM. */
function baseImageOf(v: PresetVerifyContext): string {
  if (v.buildArgs.BASE_IMAGE) return v.buildArgs.BASE_IMAGE;
  const path = join(v.projectDir, FILES.dockerfile);
  const fromFile = existsSync(path) ? globalArgDefault(readInputFile(path, FILES.dockerfile), 'BASE_IMAGE') : null;
  return fromFile?.replace(/^"(.*)"$/, '$1') || v.a.baseImage;
}


export async function verifyGoDeb(v: PresetVerifyContext): Promise<void> {
  const { sandbox, report, timeoutMs } = v;
  const g = goDebOf(v.a);
  const builder = v.images.builder;
  const cache = goCachePaths(v.a);
  const ids = hostIds();
  const goEnv = goEnvOf(process.env);
  const names = g.commands.map((c) => c.name);
  const ws = IN_IMAGE.workdir;
  const order = Object.values(N);
  report.expect(order);
  if (!builder) {
    for (const n of order) report.add(n, 'skip', 'image target builder was not built');
    return;
  }

  // A check that throws (an engine error) fails its names that have no result yet; the others go on.
  const guarded = async (ns: string[], fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const n of ns) if (!report.has(n)) report.add(n, 'fail', `error: ${(e as Error).message}`);
    }
  };

  const help = async () => {
    const r = await sandbox.run({ image: builder, cmd: ['help'], timeoutMs });
    const missing = ['binaries', 'deb', 'clean', ...names].filter((w) => !r.stdout.includes(w));
    const ok = r.exitCode === 0 && missing.length === 0;
    report.add(N.help, ok ? 'pass' : 'fail', ok ? `no mounts: exit 0, names binaries, deb, clean and ${names.join(', ')}` : r.exitCode !== 0 ? tail(r) : `help does not mention ${missing.join(', ')}`);
  };

  // `docker stop` while the entrypoint's command runs (as the checkout's owner, under tini), with
  // compose.build.yaml's hardening: tini needs KILL to signal a command of another uid.
  const stop = () => runStopCheck({ sandbox, report, timeoutMs, name: N.stop, image: builder, ids, mountAt: ws, hostConfig: ENGINE_HARDENING, init: 'tini' });

  const builds = async () => {
    const chain = [N.built, N.run, N.owner, N.debInfo, N.debInstall, N.cache];
    let dir: string;
    try {
      const made = hostDir(ids, v.projectDir);
      dir = made.dir;
      if (made.skipped.length) report.warn(`${N.built}: left out of the project copy: ${describeSkipped(made.skipped)}`);
    } catch (e) {
      for (const n of chain) report.add(n, 'fail', `copying the project: ${(e as Error).message}`);
      return;
    }
    sandbox.hostDirs.add(dir);
    try {
      const volume = await sandbox.volume('go-cache');
      // As `docker compose run --rm all` runs it: HOST_UID/HOST_GID empty, the checkout mounted.
      // In the project folder (compose's working_dir): the repository root, or go.mod's subfolder.
      const workdir = v.a.projectDir === '.' ? ws : `${ws}/${v.a.projectDir}`;
      const build = (cmd: string, output = OUT) => sandbox.run({
        workingDir: workdir,
        image: builder,
        cmd: [cmd, '--output', output],
        env: { ...goEnv, HOST_UID: '', HOST_GID: '' },
        binds: [`${dir}:${ws}`],
        volumes: [{ name: volume, target: cache.dir }],
        network: v.buildNetwork,
        hostConfig: ENGINE_HARDENING,
        timeoutMs,
      });
      const first = await build('all');
      const out = join(dir, ...projectPath(v.a, OUT).split('/'));
      const bins = names.map((n) => join(out, 'bin', n));
      const notElf = names.filter((_, i) => !isElfExecutable(bins[i]));
      const debs = existsSync(out) ? readdirSync(out).filter((f) => f.startsWith(`${g.deb.name}_`) && f.endsWith('.deb')) : [];
      const env = describeGoEnv(goEnv);
      if (first.exitCode !== 0) {
        // A proxy on this machine is out of reach from a container on the bridge network.
        const local = Object.entries(goEnv).find(([k, val]) => k !== 'GOFLAGS' && /\/\/(127\.|localhost\b|\[::1\])/.test(val));
        const hint = local && v.buildNetwork !== 'host' ? `\n  hint: ${local[0]} is on this machine: pass --network host` : '';
        report.add(N.built, 'fail', `all --output ${OUT} (${env}): ${tail(first, 15)}${hint}`);
        for (const n of chain.slice(1)) report.add(n, 'skip', `the build failed (see ${N.built})`);
        return;
      }
      report.add(N.built, notElf.length ? 'fail' : 'pass', notElf.length
        ? `exit 0 but no executable ELF file ${notElf.map((n) => `${OUT}/bin/${n}`).join(', ')}; ${tail(first)}`
        : `${names.join(', ')} in ${OUT}/bin/ (${env})`);

      const wrong = wrongOwners(out, ids, 3, OUT);
      report.add(N.owner, wrong.length ? 'fail' : 'pass', wrong.length
        ? `not owned by the checkout's owner ${ids.uid}:${ids.gid}: ${wrong.join(', ')}`
        : `${OUT}/ and everything in it is ${ids.uid}:${ids.gid}, the checkout's owner, with HOST_UID/HOST_GID empty`);

      const base = baseImageOf(v);
      let pulled: Promise<string | null> | undefined;
      const baseReady = () => (pulled ??= sandbox.ensureImage(base));
      const runBinaries = async () => {
        if (notElf.length) return report.add(N.run, 'skip', `not built: ${notElf.join(', ')}`);
        // An arbitrary program may need arguments, a device or a daemon: what every one should do is
        // answer --version or --help and exit 0 (Go's flag package and cobra do for --help). In the
        // builder image, which has the libraries cgo linked against; the clean system is the .deb's check.
        const results: string[] = [];
        const failed: string[] = [];
        for (const n of names) {
          let answered = false;
          const tries: string[] = [];
          for (const arg of ['--version', '--help']) {
            const r = await sandbox.run({ image: builder, entrypoint: [`/out/bin/${n}`], cmd: [arg], binds: [`${out}:/out:ro`], user: '65534:65534', timeoutMs: Math.min(timeoutMs, ANSWER_MS) });
            if (r.exitCode === 0) {
              const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
              results.push(`${n} ${arg}: ${line.slice(0, 80) || '(no output)'}`);
              answered = true;
              break;
            }
            tries.push(`${n} ${arg}: ${tail(r, 3)}`);
          }
          if (!answered) failed.push(...tries);
        }
        report.add(N.run, failed.length ? 'fail' : 'pass', failed.length
          ? `in the builder image, a command should exit 0 for --version or --help:\n  ${failed.join('\n  ')}`
          : `in the builder image: ${results.join('; ')}`);
      };

      const deb = debs.length === 1 ? debs[0] : undefined;
      const noDeb = debs.length === 0 ? `no ${g.deb.name}_*.deb in ${OUT}/` : `several .deb files: ${debs.join(', ')}`;
      const debInfo = async () => {
        if (!deb) return report.add(N.debInfo, 'fail', noDeb);
        const r = await sandbox.run({ image: builder, entrypoint: ['sh', '-c', 'dpkg-deb --info "$1" && dpkg-deb --contents "$1"', 'sh'], cmd: [`/out/${deb}`], binds: [`${out}:/out:ro`], user: '65534:65534', timeoutMs });
        const field = (f: string) => r.stdout.match(new RegExp(`^\\s*${f}: (.*)$`, 'm'))?.[1];
        const notIn = names.filter((n) => !new RegExp(`\\s\\./usr/bin/${n}$`, 'm').test(r.stdout));
        const why = r.exitCode !== 0 ? tail(r) : field('Package') !== g.deb.name ? `Package is ${field('Package') ?? 'missing'}, not ${g.deb.name}` : notIn.length ? `not in the package: ${notIn.map((n) => `/usr/bin/${n}`).join(', ')}` : '';
        report.add(N.debInfo, why ? 'fail' : 'pass', why || `${deb}: Package ${field('Package')}, Version ${field('Version')}, Architecture ${field('Architecture')}${field('Depends') ? `, Depends ${field('Depends')}` : ''}; ${names.map((n) => `/usr/bin/${n}`).join(', ')}`);
      };

      // The base image the builder was built FROM is the clean system; apt resolves Depends from its sources.
      const debInstall = async () => {
        if (!deb) return report.add(N.debInstall, 'skip', noDeb);
        const missing = await baseReady();
        if (missing) return report.add(N.debInstall, 'fail', missing);
        // Each command must be on PATH and run there (--version or --help): a package whose Depends
        // miss a library it links against installs, but its program cannot start.
        const script = 'apt-get update -qq && apt-get install -y -q --no-install-recommends "$1" && shift && for c in "$@"; do command -v "$c" || { echo "$c: not on PATH after the install" >&2; exit 1; }; "$c" --version >/dev/null 2>&1 || "$c" --help >/dev/null 2>&1 || { echo "$c: installed, but it does not run: $("$c" --help 2>&1 | tail -n 2)" >&2; exit 1; }; done';
        const r = await sandbox.run({ image: base, entrypoint: ['sh', '-c', script, 'sh'], cmd: [`/deb/${deb}`, ...names], env: { DEBIAN_FRONTEND: 'noninteractive' }, binds: [`${out}:/deb:ro`], network: v.buildNetwork, user: '0', timeoutMs });
        // apt's own lines (its reasons when Depends cannot be met) come first, then `command -v`'s.
        const paths = r.stdout.split('\n').filter((l) => names.some((n) => l === `/usr/bin/${n}` || l.endsWith(`/${n}`)));
        const ok = r.exitCode === 0 && names.every((n) => paths.includes(`/usr/bin/${n}`));
        report.add(N.debInstall, ok ? 'pass' : 'fail', ok ? `apt-get install ${deb} in ${base}: ${paths.join(', ')} on PATH, and they run` : `apt-get install ${deb} in ${base}: ${tail(r)}`);
      };

      // The same cache volume, a second build: every module must come from it.
      const cached = async () => {
        const got = downloads(first);
        // Another output folder: the other checks run the first build's binaries meanwhile.
        const again = await build('binaries', `${OUT}-again`);
        if (again.exitCode !== 0) return report.add(N.cache, 'fail', `second build: ${tail(again, 15)}`);
        if (got.length === 0) return report.add(N.cache, 'skip', 'the first build downloaded no module (no dependencies outside the module, or vendored): nothing to compare');
        const re = downloads(again);
        report.add(N.cache, re.length ? 'fail' : 'pass', re.length
          ? `the second build downloaded again (the cache volume at ${cache.dir} did not keep them): ${re.slice(0, 5).join('; ')}`
          : `first build: ${got.length} module(s) downloaded (${got.slice(0, 3).map((l) => l.slice('go: downloading '.length)).join(', ')}${got.length > 3 ? ', ...' : ''}), second build: none`);
      };

      await Promise.all([runBinaries, debInfo, debInstall, cached].map((fn, i) => guarded([[N.run, N.debInfo, N.debInstall, N.cache][i]], fn)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      sandbox.hostDirs.delete(dir);
    }
  };

  await Promise.all([guarded([N.help], help), guarded([N.stop], stop), guarded([N.built, N.run, N.owner, N.debInfo, N.debInstall, N.cache], builds)]);
}
