// Speed of the setup create-pio-docker generates, on the real engine (issue "Benchmarks").
// Run by bench/engine.mjs as `node --import tsx bench/engine-impl.ts OUT.json`: progress on
// stderr, {title, markdown} into OUT.json. Never part of `npm test`.
//
// A fixture project is scaffolded with the real bin; its Dockerfile gets bench-only cache-mount
// ids, so the first build starts from empty apt/pip caches without pruning the engine's shared
// build cache. Base image: the local cpd-test/python:bookworm; pip index: a local one on
// 127.0.0.1 serving the PlatformIO TEST STAND-IN. Everything made here is removed at the end.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { buildImage, type BuildEvent } from '../src/engine/build.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'create-pio-docker.js');
const BASE_IMAGE = 'cpd-test/python:bookworm';
const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const RUN_ID = `cpd-bench-${Date.now().toString(36)}`;
const LABEL = 'cpd-bench.run';
const CACHE = '/home/builder/.platformio';
const STAMP = `${CACHE}/.create-pio-docker-owner`;
const FILES = 100_000;
// BENCH_QUICK=1: one or two runs each, to try the bench out.
const QUICK = process.env.BENCH_QUICK === '1';
const N_LIGHT = QUICK ? 2 : 15; // light entrypoint cases
const N_HEAVY = QUICK ? 1 : 5; // cases that scan the whole volume
const N_NOCHANGE = QUICK ? 2 : 5;
const N_VERIFY = QUICK ? 1 : 3;
const PIO_OLD = '6.1.18';
const PIO_NEW = '6.1.19';
const EXTRA_APT = 'less'; // added to the dev stage; its dependencies are in the base image already
const TARGETS = { noChange: 2, entrypoint: 0.05, verify: 20 };

const log = (s: string) => process.stderr.write(`${s}\n`);
const docker = new Docker();

// --- small helpers ---------------------------------------------------------------------------

/** Runs a command without blocking the event loop (the pip index must keep answering). */
function sh(cmd: string, args: string[], opts: { cwd?: string; allowFail?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (code !== 0 && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(-2000)}`));
      else resolve({ code, stdout, stderr, ms });
    });
  });
}
const dockerCli = (args: string[], allowFail = false) => sh(DOCKER_CLI, args, { allowFail });

interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { n: s.length, median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}
const sec = (ms: number, digits = 2) => `${(ms / 1000).toFixed(digits)} s`;
const ms3 = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

/** Runs a command without blocking, with the time (ms since start) each stderr line arrived. */
function shLines(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; lines: { ms: number; text: string }[]; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let rest = '';
    const lines: { ms: number; text: string }[] = [];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      const parts = (rest + d).split('\n');
      rest = parts.pop()!;
      for (const text of parts) lines.push({ ms: performance.now() - t0, text });
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, lines, ms: performance.now() - t0 }));
  });
}

// --- host load: the engine may be shared with a CI run -----------------------------------------

/** Host-wide CPU counters from /proc/stat (all CPUs): busy and total jiffies. */
function cpuMark(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - (f[4] ?? 0), total };
}
const loadSamples: { t: number; l: number }[] = [];
setInterval(() => loadSamples.push({ t: performance.now(), l: loadavg()[0] }), 2000).unref();

/** Runs fn and says how busy the host was meanwhile (the bench's own work included). */
async function measured<T>(fn: () => Promise<T>): Promise<{ r: T; host: string }> {
  const c0 = cpuMark();
  const t0 = performance.now();
  const r = await fn();
  const c1 = cpuMark();
  const during = loadSamples.filter((x) => x.t >= t0).map((x) => x.l);
  const busy = Math.round((100 * (c1.busy - c0.busy)) / Math.max(1, c1.total - c0.total));
  const host = `host CPU ${busy}% busy (${cpus().length} CPUs, bench included), 1-min load up to ${Math.max(loadavg()[0], ...during).toFixed(1)}`;
  return { r, host };
}

// --- pip index that counts downloads -----------------------------------------------------------

/**
 * A PEP 503 index on 127.0.0.1 that counts the requests per path. Wheels are sent with PyPI's
 * Cache-Control (immutable), so pip's HTTP cache (the pip cache mount) may keep them as it does
 * with PyPI; the test helper's index sends no such header.
 */
async function startIndex(dir: string) {
  const wheels = readdirSync(dir).filter((f) => f.endsWith('.whl'));
  const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const project = path.match(/^\/simple\/([^/]+)\/$/)?.[1];
    if (project) {
      const links = wheels.filter((w) => norm(w.split('-')[0]) === project).map((w) => `<a href="/files/${w}">${w}</a>`);
      if (!links.length) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${links.join('<br>')}</body></html>`);
    }
    const file = path.startsWith('/files/') ? path.slice(7) : '';
    if (wheels.includes(file)) {
      return res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=365000000, immutable, public' }).end(readFileSync(join(dir, file)));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`,
    /** Wheel downloads since the last call. */
    takeDownloads(): string[] {
      const out = [...hits].filter(([p]) => p.startsWith('/files/')).flatMap(([p, n]) => Array<string>(n).fill(basename(p)));
      hits.clear();
      return out;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// --- builds ------------------------------------------------------------------------------------

interface Build {
  ms: number;
  /** Dockerfile steps (`[stage n/m] ...`), with whether BuildKit took them from the cache. */
  steps: { name: string; cached: boolean; ms: number }[];
  /** Log lines per step. */
  logs: Map<string, string[]>;
}
/** A step's name without its --mount options, for the report. */
const short = (name: string, max = 70) => {
  const n = name.replace(/RUN (--mount=\S+\s+)+/, 'RUN ').replace(/\s+/g, ' ');
  return `\`${n.length > max ? `${n.slice(0, max - 1)}…` : n}\``;
};
const isImageStep = (name: string) => /^\[[\w.-]+ \d+\/\d+\] /.test(name) && !/\] FROM /.test(name);

async function build(contextDir: string, target: string, tag: string, buildargs: Record<string, string>): Promise<Build> {
  const logs = new Map<string, string[]>();
  const onEvent = (e: BuildEvent) => {
    if (e.type === 'log') logs.set(e.name, [...(logs.get(e.name) ?? []), e.line]);
  };
  const t0 = performance.now();
  const r = await buildImage({ docker, contextDir, target, tag, buildargs, networkmode: 'host', labels: { [LABEL]: RUN_ID }, nocache: false, timeoutMs: 20 * 60_000, onEvent });
  const ms = performance.now() - t0;
  const steps = r.steps.filter((s) => isImageStep(s.name)).map((s) => ({ name: s.name, cached: s.cached, ms: s.durationMs }));
  return { ms, steps, logs };
}
const rebuilt = (b: Build) => b.steps.filter((s) => !s.cached);

/** `.deb` downloads in apt's log: `Get:5 http://... bookworm/main amd64 less amd64 590-2.1 [132 kB]`. */
function aptDownloads(b: Build): { debs: string[]; indexes: number } {
  const debs: string[] = [];
  let indexes = 0;
  for (const lines of b.logs.values()) {
    for (const l of lines) {
      const m = l.match(/^Get:\d+ \S+ \S+ \S+ (\S+) \S+ (\S+) \[/);
      if (m) debs.push(`${m[1]}=${m[2]}`);
      else if (/^Get:\d+ /.test(l)) indexes++;
    }
  }
  return { debs, indexes };
}

/**
 * The bench's copy of a generated Dockerfile: own cache-mount ids; an unused build arg in each
 * stage whose new value re-runs every step (BuildKit's nocache would also hide the cache mounts on
 * this engine); pip told to trust the plain-http local index, else it keeps no HTTP cache at all
 * (PyPI is https).
 */
function benchify(generated: string): string {
  const out = generated
    .replace(/(--mount=type=cache,id=)([\w.-]+)/g, (_, p: string, id: string) => `${p}${RUN_ID}-${id}`)
    .replace(/^FROM \$\{BASE_IMAGE\} AS (tools|dev)\n/gm, '$&ARG CPD_BENCH_BUST=\n')
    .replace(/PIP_INDEX_URL="\$\{PIP_INDEX_URL:-[^}]*\}"/, '$& PIP_TRUSTED_HOST=127.0.0.1');
  if ((out.match(/CPD_BENCH_BUST/g) ?? []).length !== 2 || !out.includes('}" PIP_TRUSTED_HOST=127.0.0.1')) throw new Error('the generated Dockerfile has changed shape: adapt bench/engine-impl.ts');
  return out;
}

// --- the benchmark ---------------------------------------------------------------------------

async function main(out: string) {
  const load0 = loadavg();
  const work = mkdtempSync(join(tmpdir(), `${RUN_ID}-`));
  const proj = join(work, 'demo-fw');
  const tag = (t: string) => `${RUN_ID}:${t}`;
  const md: string[] = [];
  const index = { close: async () => {} } as Awaited<ReturnType<typeof startIndex>>;
  const volumes: string[] = [];
  let cacheBefore: Set<string> | undefined;
  try {
    // Fixture project, scaffolded by the real bin.
    mkdirSync(join(proj, 'src'), { recursive: true });
    writeFileSync(join(proj, 'platformio.ini'), '[platformio]\ndefault_envs = uno\n\n[env]\nframework = arduino\n\n[env:esp32dev]\nplatform = espressif32\nboard = esp32dev\n\n[env:uno]\nplatform = atmelavr\nboard = uno\n');
    writeFileSync(join(proj, 'src', 'main.cpp'), '#include <Arduino.h>\nvoid setup() {}\nvoid loop() {}\n');
    await sh(process.execPath, [BIN, '--yes'], { cwd: proj });
    const generated = readFileSync(join(proj, 'Dockerfile'), 'utf8');
    // The bench's copy (see benchify).
    const benchDockerfile = benchify(generated);
    writeFileSync(join(proj, 'Dockerfile'), benchDockerfile);

    const wheelDir = join(work, 'wheels');
    await sh('python3', [join(ROOT, 'bench', 'engine-wheels.py'), wheelDir, PIO_OLD, PIO_NEW]);
    Object.assign(index, await startIndex(wheelDir));
    let bust = `cold-${RUN_ID}`;
    const args = (v = PIO_OLD) => ({ BASE_IMAGE, PIP_INDEX_URL: index.url, PLATFORMIO_VERSION: v, CPD_BENCH_BUST: bust });
    cacheBefore = new Set((await buildCache()).map((r) => r.ID));
    const engine = await docker.version();
    const others0 = (await docker.listContainers()).length;

    // 1. cold build, then no-change rebuilds
    const buildsPart = await measured(async () => {
    log('engine: cold build of the dev image (empty layer cache for it, empty apt/pip cache mounts)...');
    const cold = await build(proj, 'dev', tag('dev'), args());
    const coldApt = aptDownloads(cold);
    const coldPip = index.takeDownloads();
    log(`engine:   ${sec(cold.ms)}, ${cold.steps.length} steps, ${coldApt.debs.length} .deb downloads, pip: ${coldPip.join(', ')}`);
    log('engine: cold build again, download caches now warm...');
    bust = `warm-${RUN_ID}`;
    const coldWarm = await build(proj, 'dev', tag('dev'), args());
    const coldWarmApt = aptDownloads(coldWarm);
    const coldWarmPip = index.takeDownloads();
    log(`engine:   ${sec(coldWarm.ms)}, ${coldWarmApt.debs.length} .deb downloads, pip downloads: ${coldWarmPip.length}`);
    const noChange: Build[] = [];
    for (let i = 0; i < N_NOCHANGE; i++) noChange.push(await build(proj, 'dev', tag('dev'), args()));
    const nc = stats(noChange.map((b) => b.ms));
    const ncRebuilt = Math.max(...noChange.map((b) => rebuilt(b).length));
    log(`engine: no-change rebuild: median ${sec(nc.median)}, steps rebuilt ${ncRebuilt}`);

    // 2. dependency change: one apt package more in the dev stage, platformio bumped
    const withApt = benchDockerfile.replace(/(FROM \$\{BASE_IMAGE\} AS dev\n[\s\S]*?apt-get install -y --no-install-recommends \\\n)/, `$1      ${EXTRA_APT} \\\n`);
    if (withApt === benchDockerfile) throw new Error('dev stage apt-get install not found');
    writeFileSync(join(proj, 'Dockerfile'), withApt);
    index.takeDownloads();
    log(`engine: dependency change (+${EXTRA_APT}, platformio ${PIO_OLD} -> ${PIO_NEW})...`);
    const dep = await build(proj, 'dev', tag('dev'), args(PIO_NEW));
    const depApt = aptDownloads(dep);
    const depPip = index.takeDownloads();
    const coldDebs = new Set(coldApt.debs);
    const reApt = depApt.debs.filter((d) => coldDebs.has(d));
    const rePip = depPip.filter((w) => coldPip.includes(w));
    log(`engine:   ${sec(dep.ms)}; apt downloads ${depApt.debs.join(', ') || 'none'}; pip downloads ${depPip.join(', ') || 'none'}`);

    // 3. source change: builder (which contains dev) built, a source file changed, built again
    await build(proj, 'builder', tag('builder'), args(PIO_NEW));
    writeFileSync(join(proj, 'src', 'main.cpp'), '#include <Arduino.h>\nvoid setup() { pinMode(13, OUTPUT); }\nvoid loop() {}\n');
    const src = await build(proj, 'builder', tag('builder'), args(PIO_NEW));
    log(`engine: source change: ${sec(src.ms)}, steps rebuilt ${rebuilt(src).length}`);
    return { cold, coldApt, coldPip, coldWarm, noChange, nc, ncRebuilt, dep, depApt, depPip, reApt, rePip, src };
    });
    const { cold, coldApt, coldPip, coldWarm, noChange, nc, ncRebuilt, dep, depApt, depPip, reApt, rePip, src } = buildsPart.r;

    md.push(
      `Fixture: \`create-pio-docker --yes\` on a two-env platformio.ini; Engine ${engine.Version} (${engine.Arch}), BuildKit through the Engine API (\`src/engine/build.ts\`), ` +
        `\`BASE_IMAGE=${BASE_IMAGE}\` (local Debian bookworm + python3), PlatformIO TEST STAND-IN wheels from a local index on 127.0.0.1, apt from Debian's mirror. ` +
        `The bench's copy of the Dockerfile differs in three ways: its own cache-mount ids (\`${RUN_ID}-apt-cache\` ...), so the cold build starts with empty apt and pip caches without pruning the engine's shared build cache; ` +
        `an unused \`ARG CPD_BENCH_BUST\` in the tools and dev stages, whose new value re-runs every step (BuildKit's \`nocache\` cannot be used: on this engine a nocache build also gets empty cache mounts, checked by hand); ` +
        `and \`PIP_TRUSTED_HOST=127.0.0.1\` on the pip step, because pip keeps no HTTP cache for a plain-http index that is not a trusted host (PyPI is https, so the generated Dockerfile's pip cache works there; with an http mirror it stays empty).`,
      '',
      '### Image builds (target `dev`, which includes `tools`)',
      '',
      table(
        ['measurement', 'runs', 'median', 'min', 'max', 'steps rebuilt', 'target', 'result'],
        [
          ['cold build: no layer cache, empty apt/pip cache mounts', 1, sec(cold.ms, 1), '', '', `${rebuilt(cold).length}/${cold.steps.length}`, '(reported)', ''],
          ['cold build, apt/pip cache mounts warm (layer cache still missed)', 1, sec(coldWarm.ms, 1), '', '', `${rebuilt(coldWarm).length}/${coldWarm.steps.length}`, '(reported)', ''],
          ['no-change rebuild', nc.n, sec(nc.median), sec(nc.min), sec(nc.max), `${ncRebuilt}/${noChange[0].steps.length}`, `≤ ${TARGETS.noChange} s every run, 0 steps`, met(nc.max <= TARGETS.noChange * 1000 && ncRebuilt === 0)],
          [`dependency change (+${EXTRA_APT}, platformio ${PIO_OLD} → ${PIO_NEW})`, 1, sec(dep.ms, 1), '', '', `${rebuilt(dep).length}/${dep.steps.length}`, '(reported)', ''],
          ['source change (`src/main.cpp`), target `builder`', 1, sec(src.ms), '', '', `${rebuilt(src).length}/${src.steps.length}`, '0 steps', met(rebuilt(src).length === 0)],
        ],
      ),
      '',
      `Ratio cold / no-change (medians): **${Math.round(cold.ms / nc.median)}×** (cold with warm download caches: ${Math.round(coldWarm.ms / nc.median)}×). ` +
        `The cold build downloaded ${coldApt.debs.length} .deb packages and ${coldApt.indexes} apt index files from the mirror and ${coldPip.length} wheels from the local index; ` +
        `slowest cold steps: ${[...cold.steps].sort((a, b) => b.ms - a.ms).slice(0, 3).map((s) => `${short(s.name, 60)} ${sec(s.ms, 1)}`).join(', ')}. ` +
        (cold.ms - coldWarm.ms > 1000
          ? `Downloads (apt mirror, local index) account for about ${sec(cold.ms - coldWarm.ms, 1)} of the cold build (cold minus cold with warm caches); the rest is apt unpacking, venv creation and layer export.`
          : `The download caches made no measurable difference here (the mirror is fast from this machine; the difference is within the noise): apt unpacking, venv creation and layer export dominate.`) +
        ` During the builds: ${buildsPart.host}.`,
      '',
      '### Dependency change: what was downloaded',
      '',
      table(
        ['', 'downloaded', 're-downloads of unchanged packages', 'target', 'result'],
        [
          [`apt (.deb, from the build log's \`Get:\` lines)`, depApt.debs.join(', ') || 'none', reApt.length ? reApt.join(', ') : '0', `only ${EXTRA_APT} (+ new dependencies), 0 re-downloads`, met(reApt.length === 0 && depApt.debs.some((d) => d.startsWith(`${EXTRA_APT}=`)))],
          ['pip (wheel requests counted on the index)', depPip.join(', ') || 'none', rePip.length ? rePip.join(', ') : '0', `only platformio ${PIO_NEW}, 0 re-downloads`, met(rePip.length === 0 && depPip.some((w) => w.includes(PIO_NEW)))],
        ],
      ),
      '',
      `Steps rebuilt: ${rebuilt(dep).map((s) => short(s.name)).join(', ')}. ` +
        `The changed \`PLATFORMIO_VERSION\` re-runs every RUN step of the tools stage (a build arg's value is part of each later RUN step's cache key), apt included: that step took its .deb from the apt cache mount, which is what "0 re-downloads" checks. ` +
        `apt index files fetched again: ${depApt.indexes} (\`apt-get update\` runs in every re-run apt step; unchanged lists are \`Hit:\`). ` +
        `The stand-in wheels carry one dependency (\`cpdbench-dep\`, benchmark only) so that an unchanged pip package exists; the cold build fetched ${coldPip.join(', ')}.`,
    );

    // 4. entrypoint start-up
    const ep = await measured(() => entrypointBench(tag('dev'), work, volumes));
    md.push('', ...ep.r, '', `During the entrypoint runs: ${ep.host}.`);

    // 5. verify end to end, warm
    writeFileSync(join(proj, 'Dockerfile'), benchDockerfile);
    const verifyArgs = ['verify', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--build-arg', `PIP_INDEX_URL=${index.url}`, '--network', 'host', '--json', '-'];
    log('engine: verify warm-up run...');
    const warm = await sh(process.execPath, [BIN, ...verifyArgs], { cwd: proj, allowFail: true });
    if (warm.code !== 0) throw new Error(`verify warm-up failed (exit ${warm.code}): ${warm.stdout.slice(-1500)}\n${warm.stderr.slice(-1500)}`);
    type Run = { ms: number; builds: number; checks: { name: string; status: string; detail: string }[]; slowest: string[]; groups: Record<string, number> };
    const verifyPart = await measured(async () => {
      const runs: Run[] = [];
      for (let i = 0; i < N_VERIFY; i++) {
        const r = await shLines(process.execPath, [BIN, ...verifyArgs], proj);
        if (r.code !== 0) throw new Error(`verify failed (exit ${r.code}): ${r.stdout.slice(-1500)}\n${r.lines.slice(-20).map((l) => l.text).join('\n')}`);
        const checks = (JSON.parse(r.stdout) as { checks: Run['checks'] }).checks;
        // Build time from the build checks' details ("N steps, M CACHED, X s"); the slowest other
        // checks from the gaps between consecutive check lines on stderr.
        const builds = checks.reduce((a, c) => a + Number(c.detail.match(/, ([\d.]+) s$/)?.[1] ?? 0) * 1000, 0);
        const checkLines = r.lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l.text));
        const nameOf = (text: string) => checks.find((c) => text.slice(5).startsWith(c.name))?.name ?? text.slice(5, 40);
        const gaps = checkLines.map((l, n) => ({ ms: l.ms - (n ? checkLines[n - 1].ms : 0), name: nameOf(l.text) }));
        const slowest = gaps.filter((g) => !g.name.startsWith('build:')).sort((a, b) => b.ms - a.ms).slice(0, 3).map((g) => `${g.name} ${sec(g.ms, 1)}`);
        // Where the time went: up to the first build, the builds, compose checks, container checks, cleanup.
        const groups: Record<string, number> = { 'start (engine, plan)': 0, 'builds': 0, 'container checks': 0, 'compose checks': 0, 'cleanup and exit': r.ms - (checkLines.at(-1)?.ms ?? r.ms) };
        const firstBuild = r.lines.find((l) => /^\[\w+\] /.test(l.text) || /^(PASS|FAIL|SKIP) /.test(l.text));
        groups['start (engine, plan)'] = firstBuild?.ms ?? 0;
        gaps.forEach((g, n) => {
          const ms = n === 0 ? g.ms - groups['start (engine, plan)'] : g.ms;
          const group = g.name.startsWith('build:') ? 'builds' : g.name.startsWith('compose:') ? 'compose checks' : 'container checks';
          groups[group] += ms;
        });
        runs.push({ ms: r.ms, builds, checks, slowest, groups });
        log(`engine: verify (warm) ${sec(r.ms)} (builds ${sec(builds)})`);
      }
      return runs;
    });
    const runs = verifyPart.r;
    const v = stats(runs.map((r) => r.ms));
    const vb = stats(runs.map((r) => r.builds));
    const mid = [...runs].sort((a, b) => a.ms - b.ms)[runs.length >> 1];
    const passed = mid.checks.filter((c) => c.status === 'pass').length;
    const verifyMet = v.median <= TARGETS.verify * 1000;
    md.push(
      '',
      '### `verify` end to end, warm cache',
      '',
      table(
        ['measurement', 'runs', 'median', 'min', 'max', 'target', 'result'],
        [
          [`\`create-pio-docker verify\` (${passed} checks passed)`, v.n, sec(v.median, 1), sec(v.min, 1), sec(v.max, 1), `≤ ${TARGETS.verify} s (median)`, met(verifyMet)],
          ['of which: its three builds (dev, builder, runner; fully cached)', vb.n, sec(vb.median, 1), sec(vb.min, 1), sec(vb.max, 1), '', ''],
        ],
      ),
      '',
      `After one warm-up run; wall time of the bin, \`--network host\`, the bench's Dockerfile. ` +
        `Where the median run's time went (from when each check line appeared): ${Object.entries(mid.groups).map(([k, ms]) => `${k} ${sec(ms, 1)}`).join(', ')}; ` +
        `slowest checks after the builds: ${mid.slowest.join(', ')}. During these runs: ${verifyPart.host}.` +
        ` ${verifyMet ? 'Met' : 'Not met'}: ${verifyReason(runs, mid)}`,
    );

    // 6. a twelve-env project: docker stop of a running build, then every env built by `pio-build all`
    const fleet = await measured(() => fleetBench(work, volumes, tag('fleet-builder'), args(PIO_NEW)));
    md.push('', ...fleet.r, '', `During the stop and all-envs runs: ${fleet.host}.`);

    const load1 = loadavg();
    const others1 = (await docker.listContainers()).length;
    md.unshift(
      `Load during this section: 1-min load average ${load0[0].toFixed(2)} at the start, ${load1[0].toFixed(2)} at the end; ` +
        `containers running that were not the bench's: ${others0} at the start, ${others1} at the end (a CI run may share the engine).`,
      '',
    );
  } finally {
    await index.close();
    md.push('', await cleanup(volumes, cacheBefore, work));
  }
  writeFileSync(out, JSON.stringify({ title: 'Generated setup (real engine)', markdown: md.join('\n') }));
}

function verifyReason(runs: { ms: number }[], mid: { ms: number; checks: { name: string }[]; groups: Record<string, number> }): string {
  const slow = runs.filter((r) => r.ms > TARGETS.verify * 1000).length;
  const compose = mid.checks.filter((c) => c.name.startsWith('compose:')).length;
  return `${slow} of ${runs.length} runs took more than ${TARGETS.verify} s. With the builds cached, verify is bound by its checks, run one after another: ` +
    `the ${compose} compose checks (docker-compose v1, a Python program, one call each) took ${sec(mid.groups['compose checks'], 1)} of the median run's ${sec(mid.ms, 1)}, ` +
    `the container checks ${sec(mid.groups['container checks'], 1)} (each a container start of about 0.4 s here, see the bare-container row, plus its work: stand-in pio builds, a healthcheck waiting for its first probe at a 1 s interval). ` +
    `Both grow with the host's load (see the CPU figure), which a concurrent CI run raises.`;
}

// --- docker stop and all-envs builds (twelve-env fixture) ---------------------------------------

/** Twelve embedded envs: [name, platform, board]. The stand-in builds every embedded env alike. */
const FLEET: [string, string, string][] = [
  ['uno', 'atmelavr', 'uno'], ['nano', 'atmelavr', 'nanoatmega328'], ['mega', 'atmelavr', 'megaatmega2560'], ['leonardo', 'atmelavr', 'leonardo'],
  ['esp32dev', 'espressif32', 'esp32dev'], ['esp32s3', 'espressif32', 'esp32-s3-devkitc-1'], ['esp32c3', 'espressif32', 'esp32-c3-devkitm-1'], ['esp32cam', 'espressif32', 'esp32cam'],
  ['nodemcuv2', 'espressif8266', 'nodemcuv2'], ['d1_mini', 'espressif8266', 'd1_mini'], ['bluepill', 'ststm32', 'bluepill_f103c8'], ['nucleo_f401re', 'ststm32', 'nucleo_f401re'],
];
/** The env the failing run loses from the checkout's platformio.ini (a middle one: the later envs must still be built). */
const FLEET_FAILING = 'esp32cam';
const N_STOP = QUICK ? 2 : 5;
const N_STOP_NOINIT = QUICK ? 1 : 2;
const N_ALL = QUICK ? 1 : 3;
const COMPILE_S = 1; // simulated compile time per env (PIO_STANDIN_SLEEP) in the second pair of all-envs rows
const TARGET_STOP_MS = 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fleetBench(work: string, volumes: string[], image: string, buildargs: Record<string, string>): Promise<string[]> {
  const dir = join(work, 'fleet-fw');
  const envs = FLEET.map(([name]) => name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  const ini = `[platformio]\ndefault_envs = ${envs[0]}\n\n[env]\nframework = arduino\n` + FLEET.map(([n, p, b]) => `\n[env:${n}]\nplatform = ${p}\nboard = ${b}\n`).join('');
  writeFileSync(join(dir, 'platformio.ini'), ini);
  writeFileSync(join(dir, 'src', 'main.cpp'), '#include <Arduino.h>\nvoid setup() {}\nvoid loop() {}\n');
  await sh(process.execPath, [BIN, '--yes'], { cwd: dir });
  writeFileSync(join(dir, 'Dockerfile'), benchify(readFileSync(join(dir, 'Dockerfile'), 'utf8')));
  log(`engine: ${envs.length}-env fixture: builder image...`);
  await build(dir, 'builder', image, buildargs);
  const vol = `${RUN_ID}-fleet`;
  await docker.createVolume({ Name: vol, Labels: { [LABEL]: RUN_ID } });
  volumes.push(vol);
  // The checkout belongs to a normal user, as on a developer's machine (the bench may run as root);
  // the entrypoint runs the build as the checkout's owner.
  if (process.getuid?.() === 0) await sh('chown', ['-R', '1000:1000', dir]);
  const label = ['--label', `${LABEL}=${RUN_ID}`];
  const mounts = ['-v', `${dir}:/workspace`, '-v', `${vol}:${CACHE}`];
  const listed = (await dockerCli(['run', '--rm', ...label, image, 'list'])).stdout.trim().split('\n');
  if ([...listed].sort().join() !== [...envs].sort().join()) throw new Error(`the builder image lists envs ${listed.join(', ')}, not the fixture's`);
  // First build: fills the cache volume (the stand-in's toolchain install), as a team's first build does.
  await dockerCli(['run', '--rm', '--init', ...label, ...mounts, image, 'build', '-e', envs[0]]);

  // docker stop of a running build: the build sleeps in the stand-in (PIO_STANDIN_SLEEP=60) when stopped.
  const stopOnce = async (opts: string[], cmd: string[]) => {
    const id = (await dockerCli(['run', '-d', ...label, ...mounts, '-e', 'PIO_STANDIN_SLEEP=60', ...opts, image, ...cmd])).stdout.trim();
    try {
      const deadline = performance.now() + 30_000;
      for (;;) {
        const logs = await dockerCli(['logs', id], true);
        if (`${logs.stdout}${logs.stderr}`.includes('test stand-in: sleeping 60 s')) break;
        if (performance.now() > deadline) throw new Error(`the build never reached its sleep: ${logs.stdout.slice(-800)}${logs.stderr.slice(-800)}`);
        await pause(100);
      }
      const stop = await dockerCli(['stop', '-t', '10', id]);
      const code = Number((await dockerCli(['inspect', '-f', '{{.State.ExitCode}}', id])).stdout.trim());
      return { ms: stop.ms, code };
    } finally {
      await dockerCli(['rm', '-f', id], true);
    }
  };
  const stopCases = {
    build: { opts: [] as string[], cmd: ['build', '-e', envs[0]] },
    all: { opts: [] as string[], cmd: ['all'] },
    noInit: { opts: ['--entrypoint', '/usr/local/bin/docker-entrypoint'], cmd: ['/usr/local/bin/pio-build', 'build', '-e', envs[0]] },
  };
  type StopCase = keyof typeof stopCases;
  const stops = new Map<StopCase, { ms: number; code: number }[]>();
  log(`engine: docker stop of a running build, ${N_STOP} rounds (+${N_STOP_NOINIT} without an init, 10 s each)...`);
  for (let i = 0; i < Math.max(N_STOP, N_STOP_NOINIT); i++) {
    for (const name of Object.keys(stopCases) as StopCase[]) {
      if (i >= (name === 'noInit' ? N_STOP_NOINIT : N_STOP)) continue;
      const r = await stopOnce(stopCases[name].opts, stopCases[name].cmd);
      stops.set(name, [...(stops.get(name) ?? []), r]);
      log(`engine:   ${name}: ${sec(r.ms, 3)}, exit ${r.code}`);
    }
  }
  const codes = (rs: { code: number }[]) => [...new Set(rs.map((r) => r.code))].map((c) => `${c} ×${rs.filter((r) => r.code === c).length}`).join(', ');
  const stopRow = (what: string, name: StopCase, target: boolean) => {
    const rs = stops.get(name)!;
    const st = stats(rs.map((r) => r.ms));
    const ok = st.max <= TARGET_STOP_MS && rs.every((r) => r.code === 143);
    return [what, st.n, sec(st.median, 3), sec(st.min, 3), sec(st.max, 3), codes(rs), target ? `≤ ${TARGET_STOP_MS / 1000} s every run, exit 143` : '(reference: ~10 s, 137)', target ? met(ok) : ''];
  };

  // Every env, one container (`pio-build all`), as the docs run it without compose.
  const allOnce = async (jobs: number, env: string[]) => {
    rmSync(join(dir, '.pio'), { recursive: true, force: true });
    const r = await dockerCli(['run', '--rm', '--init', ...label, ...mounts, ...env, image, 'all', '--jobs', String(jobs)], true);
    const built = r.stdout.match(/^pio-build: built \d+ env\(s\): (.*)$/m)?.[1].trim().split(/\s+/) ?? [];
    const files = envs.filter((e) => existsSync(join(dir, '.pio', 'build', e, 'firmware.bin')));
    return { ...r, built, files };
  };
  const allCases: { what: string; jobs: number; env: string[] }[] = [
    { what: '`all --jobs 1`', jobs: 1, env: [] },
    { what: '`all --jobs 2`', jobs: 2, env: [] },
    { what: `\`all --jobs 1\`, ${COMPILE_S} s compile per env`, jobs: 1, env: ['-e', `PIO_STANDIN_SLEEP=${COMPILE_S}`] },
    { what: `\`all --jobs 2\`, ${COMPILE_S} s compile per env`, jobs: 2, env: ['-e', `PIO_STANDIN_SLEEP=${COMPILE_S}`] },
  ];
  const allRuns = allCases.map(() => [] as Awaited<ReturnType<typeof allOnce>>[]);
  log(`engine: pio-build all, ${envs.length} envs, ${N_ALL} rounds...`);
  for (let i = 0; i < N_ALL; i++) {
    for (const [n, c] of allCases.entries()) {
      const r = await allOnce(c.jobs, c.env);
      if (r.code !== 0) throw new Error(`pio-build all --jobs ${c.jobs} exited ${r.code}: ${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
      allRuns[n].push(r);
      log(`engine:   ${c.what}: ${sec(r.ms)}, ${r.files.length}/${envs.length} firmware.bin`);
    }
  }
  const everyEnv = (r: { built: string[]; files: string[] }) => r.files.length === envs.length && [...r.built].sort().join() === [...envs].sort().join();
  const allRows = allCases.map((c, n) => {
    const rs = allRuns[n];
    const st = stats(rs.map((r) => r.ms));
    const ok = rs.every(everyEnv);
    return [c.what, st.n, sec(st.median), sec(st.min), sec(st.max), sec(st.median / envs.length), `${Math.min(...rs.map((r) => r.files.length))}/${envs.length}`, 'every env built, exit 0', met(ok)];
  });

  // One env failing: the checkout's platformio.ini lost an env the image still lists, so `pio run -e`
  // fails for it alone (the stand-in checks `#error` in all of src/ for every env and reads no
  // src_dir, so a compile error cannot be given to one embedded env).
  log(`engine: pio-build all with env ${FLEET_FAILING} failing...`);
  writeFileSync(join(dir, 'platformio.ini'), ini.replace(new RegExp(`\\n\\[env:${FLEET_FAILING}\\]\\n[^[]*`), '\n'));
  const fail = await allOnce(2, []);
  writeFileSync(join(dir, 'platformio.ini'), ini);
  const others = envs.filter((e) => e !== FLEET_FAILING);
  const named = fail.stderr.includes(`pio-build: build failed for env "${FLEET_FAILING}"`) && new RegExp(`1 of ${envs.length} envs failed: ${FLEET_FAILING}$`, 'm').test(fail.stderr);
  const othersBuilt = others.every((e) => fail.files.includes(e)) && !fail.files.includes(FLEET_FAILING);
  const failOk = fail.code === 1 && named && othersBuilt;
  if (!failOk) log(`engine: WARNING: the failing all-envs run: exit ${fail.code}, named ${named}, others built ${othersBuilt}: ${fail.stderr.slice(-1000)}`);

  const a1 = stats(allRuns[2].map((r) => r.ms));
  const a2 = stats(allRuns[3].map((r) => r.ms));
  const n1 = stats(allRuns[0].map((r) => r.ms));
  const n2 = stats(allRuns[1].map((r) => r.ms));
  return [
    '### `docker stop` of a running build',
    '',
    `Fixture: a second project, \`create-pio-docker --yes\` on ${envs.length} embedded envs, its builder image (the bench's Dockerfile, as above); ` +
      `\`docker run -d\` of the builder image with the checkout bind-mounted at /workspace and a cache volume, \`PIO_STANDIN_SLEEP=60\` so that the stand-in sleeps mid-build; ` +
      `once its log shows the sleep, the wall time of \`docker stop -t 10\` (CLI) and the container's exit code. ` +
      `\`build -e ${envs[0]}\`: pio-build execs \`pio run\`; \`all\`: pio-build runs the builds as children and traps the signal. Both with the image's own init (tini -s -g as PID 1, no \`--init\`). ` +
      `Without an init, \`pio\` (Python) ends up as PID 1, which the kernel does not deliver an unhandled SIGTERM to: docker stop waits out its 10 s and kills.`,
    '',
    table(['measurement', 'runs', 'median', 'min', 'max', 'exit codes', 'target', 'result'], [
      stopRow(`**docker stop of a running build** (\`build -e ${envs[0]}\`)`, 'build', true),
      stopRow('docker stop of a running `all` (pio-build stops its build)', 'all', true),
      stopRow(`for reference: no init (\`--entrypoint docker-entrypoint\`, \`pio-build build -e ${envs[0]}\`)`, 'noInit', false),
    ]),
    '',
    `### All envs in one container (\`pio-build all\`, ${envs.length} envs)`,
    '',
    `\`docker run --rm --init -v CHECKOUT:/workspace -v VOLUME:${CACHE} BUILDER all --jobs N\`, as the docs run it; \`.pio\` removed before each run, so every env is built; ` +
      `after one first build that filled the cache volume. Wall time of \`docker run\` (container start included). ` +
      `"Every env built": pio-build's summary line names all ${envs.length} envs and each \`.pio/build/ENV/firmware.bin\` exists on the host. ` +
      `The stand-in's embedded build is near-instant, so the first pair of rows is mostly ${envs.length} \`pio\` start-ups; ` +
      `the second pair adds ${COMPILE_S} s of simulated compile per env (\`PIO_STANDIN_SLEEP=${COMPILE_S}\`), where \`--jobs 2\` took ${(a2.median / a1.median * 100).toFixed(0)}% of \`--jobs 1\` (without it: ${(n2.median / n1.median * 100).toFixed(0)}%).`,
    '',
    table(['measurement', 'runs', 'median', 'min', 'max', 'per env (median)', 'firmware.bin (fewest)', 'check', 'result'], [
      ...allRows,
      [`one env failing (\`all --jobs 2\`, env \`${FLEET_FAILING}\` not in the checkout's platformio.ini)`, 1, sec(fail.ms), '', '', '', `${fail.files.length}/${envs.length}`,
        `exit 1 naming \`${FLEET_FAILING}\`, the other ${others.length} built`, `${met(failOk)} (exit ${fail.code})`],
    ]),
    '',
    `The failing env: the stand-in fails an embedded env with \`#error\` only by scanning all of \`src/\` for every env (and reads no \`src_dir\`), so a compile error would fail all ${envs.length}; ` +
      `instead the checkout's platformio.ini lacks \`[env:${FLEET_FAILING}]\`, which the image still lists, so \`pio run -e ${FLEET_FAILING}\` alone fails (exit 1, "Unknown environment names") — the same exit status pio-build sees from a compile error.`,
  ];
}

// --- entrypoint --------------------------------------------------------------------------------

/** Fills the mounted cache like a PlatformIO cache: 100 packages, each a bin/ of 10 executables and 990 files deeper down. */
const POPULATE = `set -e; cd ${CACHE}; for p in $(seq 1 100); do d=packages/pkg$p; mkdir -p $d/bin $d/share/a/b;
  (cd $d/bin && touch t{1..10} && chmod 755 t*); (cd $d/share/a/b && touch f{1..990}); done; find . -type f | wc -l`;

/** Timed from inside the container: prints microseconds of "$@". */
const TIMED = 's=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(((e - s) / 1000))';

async function entrypointBench(devImage: string, work: string, volumes: string[]): Promise<string[]> {
  // The naive entrypoints the issue compares with, in an image derived from dev (same image for all runs).
  const ctx = join(work, 'naive');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'naive-chown'), `#!/bin/sh\nchown -R builder: ${CACHE} && exec setpriv --reuid=1000 --regid=1000 --clear-groups "$@"\n`);
  writeFileSync(join(ctx, 'naive-find'), `#!/bin/sh\nfind ${CACHE} ! -user builder -exec chown builder: {} + && exec setpriv --reuid=1000 --regid=1000 --clear-groups "$@"\n`);
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${devImage}\nCOPY --chmod=0755 naive-chown naive-find /usr/local/bin/\n`);
  const img = `${RUN_ID}:naive`;
  await build(ctx, '', img, {});

  const userVol = `${RUN_ID}-user`;
  const rootVol = `${RUN_ID}-root`;
  for (const v of [userVol, rootVol]) {
    await docker.createVolume({ Name: v, Labels: { [LABEL]: RUN_ID } });
    volumes.push(v);
  }
  const run = (vol: string, opts: string[], cmd: string[]) => dockerCli(['run', '--rm', '--label', `${LABEL}=${RUN_ID}`, '-v', `${vol}:${CACHE}`, ...opts, img, ...cmd]);
  const asRoot = (vol: string, script: string) => run(vol, ['--user', '0', '--entrypoint', 'bash'], ['-c', script]);
  const owner = async (vol: string, path: string) => (await asRoot(vol, `stat -c %u:%g ${path}`)).stdout.trim();

  log(`engine: filling two volumes with ${FILES} files (one the user's, one root's)...`);
  const nUser = (await run(userVol, ['--user', '1000:1000', '--entrypoint', 'bash'], ['-c', POPULATE])).stdout.trim();
  const nRoot = (await asRoot(rootVol, POPULATE)).stdout.trim();
  if (Number(nUser) !== FILES || Number(nRoot) !== FILES) throw new Error(`volumes hold ${nUser} and ${nRoot} files, not ${FILES}`);

  // First start with the files already the user's, no stamp yet (each time with the stamp removed).
  const firstOwned: number[] = [];
  const firstOwnedIn: number[] = [];
  for (let i = 0; i < N_HEAVY; i++) {
    await asRoot(userVol, `rm -f ${STAMP}`);
    const r = await run(userVol, ['--entrypoint', 'bash'], ['-c', TIMED, '_', '/usr/local/bin/docker-entrypoint', 'true']);
    firstOwned.push(r.ms);
    firstOwnedIn.push(Number(r.stdout.trim()) / 1000);
  }
  // The stamp (root's) records the owner the volume was fixed for.
  if ((await asRoot(userVol, `cat ${STAMP}`)).stdout.trim() !== '1000:1000') throw new Error('the entrypoint wrote no stamp');

  // Light cases, interleaved so that engine noise hits them alike. Outside: wall time of `docker run`.
  log(`engine: entrypoint start-up, ${N_LIGHT} rounds...`);
  const light = {
    bare: { opts: ['--entrypoint', 'true'], cmd: [] as string[], inner: ['/bin/true'] },
    entrypoint: { opts: [], cmd: ['true'], inner: ['/usr/local/bin/docker-entrypoint', 'true'] },
    'naive chown -R': { opts: ['--entrypoint', '/usr/local/bin/naive-chown'], cmd: ['true'], inner: ['/usr/local/bin/naive-chown', 'true'] },
    'naive find ! -user': { opts: ['--entrypoint', '/usr/local/bin/naive-find'], cmd: ['true'], inner: ['/usr/local/bin/naive-find', 'true'] },
  };
  type Case = keyof typeof light;
  const outer = new Map<Case, number[]>();
  const inner = new Map<Case, number[]>();
  for (let i = 0; i < N_LIGHT; i++) {
    for (const [name, c] of Object.entries(light) as [Case, (typeof light)[Case]][]) {
      const o = await run(userVol, c.opts, c.cmd);
      outer.set(name, [...(outer.get(name) ?? []), o.ms]);
      const n = await run(userVol, ['--entrypoint', 'bash'], ['-c', TIMED, '_', ...c.inner]);
      inner.set(name, [...(inner.get(name) ?? []), Number(n.stdout.trim()) / 1000]);
    }
  }

  // Heavy cases: timed inside and outside in the same run (the bash wrapper costs a few ms).
  log('engine: first starts on a root-owned volume, starts after a HOST_UID change...');
  const rootFirst: number[] = [];
  const rootFirstIn: number[] = [];
  for (let i = 0; i < N_HEAVY; i++) {
    await asRoot(rootVol, `chown -R 0:0 ${CACHE} && rm -f ${STAMP}`);
    const r = await run(rootVol, ['--entrypoint', 'bash'], ['-c', TIMED, '_', '/usr/local/bin/docker-entrypoint', 'true']);
    rootFirst.push(r.ms);
    rootFirstIn.push(Number(r.stdout.trim()) / 1000);
  }
  const rootFixed = (await asRoot(rootVol, `find ${CACHE} ! -user 1000 | wc -l`)).stdout.trim();
  const uidChange: number[] = [];
  const uidChangeIn: number[] = [];
  for (let i = 0; i < N_HEAVY + 1; i++) {
    const id = i % 2 ? 1000 : 1001; // every start is a change; ends back at 1000
    const r = await run(userVol, ['-e', `HOST_UID=${id}`, '-e', `HOST_GID=${id}`, '--entrypoint', 'bash'], ['-c', TIMED, '_', '/usr/local/bin/docker-entrypoint', 'true']);
    uidChange.push(r.ms);
    uidChangeIn.push(Number(r.stdout.trim()) / 1000);
  }
  const uidFixed = (await asRoot(userVol, `find ${CACHE} ! -user 1000 | wc -l`)).stdout.trim();

  const bare = stats(outer.get('bare')!);
  const bareIn = stats(inner.get('bare')!);
  const rows: (string | number)[][] = [];
  const add = (name: string, o: number[], i: number[], target?: number) => {
    const so = stats(o);
    const si = stats(i);
    const over = (so.median - bare.median) / 1000;
    rows.push([name, so.n, sec(so.median, 3), `${sec(so.min, 3)} – ${sec(so.max, 3)}`, `${over >= 0 ? '+' : ''}${over.toFixed(3)} s`, ms3(si.median), `${ms3(si.min)} – ${ms3(si.max)}`,
      target === undefined ? '' : `≤ +${target} s`, target === undefined ? '' : met(over <= target && si.median / 1000 <= target)]);
  };
  add('bare `true` container (`--entrypoint true`)', outer.get('bare')!, inner.get('bare')!);
  add('**entrypoint**, stamp valid', outer.get('entrypoint')!, inner.get('entrypoint')!, TARGETS.entrypoint);
  add('naive `chown -R user: cache && exec setpriv`', outer.get('naive chown -R')!, inner.get('naive chown -R')!);
  add('naive `find ! -user -exec chown` + setpriv', outer.get('naive find ! -user')!, inner.get('naive find ! -user')!);
  add('entrypoint, first start, files already the user\'s, no stamp', firstOwned, firstOwnedIn);
  add('entrypoint, first start on a root-owned volume', rootFirst, rootFirstIn);
  add('entrypoint, start after HOST_UID/HOST_GID changed', uidChange, uidChangeIn);

  log('engine: entrypoint correctness...');
  const correctness = await entrypointCorrectness(run, asRoot, owner, userVol);

  const e = stats(outer.get('entrypoint')!);
  const ei = stats(inner.get('entrypoint')!);
  return [
    `### Entrypoint start-up (cache volume of ${FILES.toLocaleString('en')} files)`,
    '',
    `The volume is laid out like a PlatformIO cache: 100 packages, each a \`bin/\` of 10 executables and 990 files three levels deeper. ` +
      `All runs use one image (the dev image plus the two naive entrypoints) and the same volume mount; the light cases were interleaved round by round. ` +
      `"Outside" is the wall time of \`docker run --rm ... true\` (engine included, so noisy); "inside" is the entrypoint alone, timed in the container with \`date +%s%N\` ` +
      `(\`docker run --entrypoint bash ... -c 'time ENTRYPOINT true'\`). The first-start, root-owned and UID-change rows run through that bash wrapper (a few ms more outside), ` +
      `each after resetting the volume (root-owned: \`chown -R 0:0\` and no stamp; UID change: alternating HOST_UID 1001 and 1000).`,
    '',
    table(['start', 'runs', 'outside median', 'outside min – max', 'over bare (medians)', 'inside median', 'inside min – max', 'target', 'result'], rows),
    '',
    `Entrypoint with a valid stamp: ${sec(e.median - bare.median, 3)} over a bare container outside${Math.abs(e.median - bare.median) < 10 ? ' (within the engine\'s noise)' : ''}, ${ms3(ei.median)} inside (bare \`true\` inside: ${ms3(bareIn.median)}). ` +
      `After the root-owned first starts, files not the user's: ${rootFixed}; after the UID changes (ending at 1000): ${uidFixed}.`,
    '',
    '#### Fast must stay correct',
    '',
    table(['situation', 'then', 'owner of the root-owned file after the start', 'expected', 'ok'], correctness.rows),
    '',
    'What the fast path does not catch: with a valid stamp it looks at the top two levels of the cache only, so a root-owned file deeper down that was not written through the entrypoint ' +
      '(e.g. `docker exec -u 0`, `docker run --entrypoint ... --user 0`) stays root\'s until something makes a full pass: a HOST_UID/HOST_GID change, a missing stamp, ' +
      '`PIO_FIX_PERMISSIONS=full`, or a wrong owner within the top two levels. A start with `HOST_UID=0` removes the stamp, so what a root run writes is fixed at the next start as the user.',
  ];
}

async function entrypointCorrectness(
  run: (vol: string, opts: string[], cmd: string[]) => Promise<{ stdout: string }>,
  asRoot: (vol: string, script: string) => Promise<unknown>,
  owner: (vol: string, path: string) => Promise<string>,
  vol: string,
): Promise<{ rows: string[][]; ok: boolean }> {
  const deep = `${CACHE}/packages/pkg57/share/a/b/root-dir/root-file`;
  const shallow = `${CACHE}/packages/root-pkg`;
  const plant = (path: string) => asRoot(vol, `mkdir -p ${dirname(path)} && touch ${path}`);
  const rows: string[][] = [];
  let ok = true;
  const check = async (situation: string, then: string, path: string, start: () => Promise<unknown>, expected: string) => {
    await start();
    const got = await owner(vol, path);
    ok &&= got === expected;
    rows.push([situation, then, got, expected, got === expected ? 'yes' : '**no**']);
  };
  const plain = () => run(vol, [], ['true']);
  await plant(deep);
  await check('valid stamp, root-owned file 6 levels deep', 'normal start', deep, plain, '0:0');
  await check('same', 'start with HOST_UID=1001 HOST_GID=1001', deep, () => run(vol, ['-e', 'HOST_UID=1001', '-e', 'HOST_GID=1001'], ['true']), '1001:1001');
  await plain(); // back to 1000 (another full pass)
  await plant(deep);
  await check('valid stamp, root-owned file deep', 'stamp removed, normal start', deep, async () => {
    await asRoot(vol, `rm -f ${STAMP}`);
    await plain();
  }, '1000:1000');
  await plant(deep);
  await check('valid stamp, root-owned file deep', 'start with PIO_FIX_PERMISSIONS=full', deep, () => run(vol, ['-e', 'PIO_FIX_PERMISSIONS=full'], ['true']), '1000:1000');
  await plant(shallow);
  await check('valid stamp, root-owned folder 2 levels deep', 'normal start', shallow, plain, '1000:1000');
  await run(vol, ['-e', 'HOST_UID=0'], ['bash', '-c', `mkdir -p ${dirname(deep)} && touch ${deep}`]);
  await check('root-owned file deep, written by a `HOST_UID=0` run', 'normal start', deep, plain, '1000:1000');
  if (!ok) log('engine: WARNING: an entrypoint correctness check gave an unexpected owner');
  return { rows, ok };
}

// --- cleanup -----------------------------------------------------------------------------------

interface CacheRecord {
  ID: string;
  Type: string;
  Size: number;
  InUse: boolean;
  Description?: string;
}
async function buildCache(): Promise<CacheRecord[]> {
  return ((await docker.df()) as { BuildCache?: CacheRecord[] }).BuildCache ?? [];
}

/** Removes what the bench made; returns a line for the report on what stays. */
async function cleanup(volumes: string[], cacheBefore: Set<string> | undefined, work: string): Promise<string> {
  log('engine: cleaning up...');
  const filters = JSON.stringify({ label: [`${LABEL}=${RUN_ID}`] });
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  for (const v of volumes) await docker.getVolume(v).remove({ force: true }).catch((e: Error) => log(`engine: could not remove volume ${v}: ${e.message}`));
  // Tags first (the naive image before the dev image it is built on), then what they leave dangling.
  for (const pass of ['tags', 'ids']) {
    const images = await docker.listImages({ all: true, filters });
    const names = pass === 'tags' ? images.flatMap((i) => (i.RepoTags ?? []).filter((t) => t.startsWith(`${RUN_ID}:`))).sort().reverse() : images.map((i) => i.Id);
    for (const n of names) await docker.getImage(n).remove().catch((e: Error) => log(`engine: could not remove image ${n}: ${e.message}`));
  }
  rmSync(work, { recursive: true, force: true });
  if (!cacheBefore) return '';
  // The bench's cache mounts: records new since the start, made by the generated Dockerfile's
  // apt/pip steps. Records do not name their cache id; the shared ids (apt-cache ...) have
  // records from before the start, unless nobody had built yet.
  const fresh = (await buildCache()).filter((r) => !cacheBefore.has(r.ID));
  const mounts = fresh.filter((r) => r.Type === 'exec.cachemount' && / from exec \/bin\/sh -c (apt-get update|python3 -m venv)/.test(r.Description ?? ''));
  for (const r of mounts) await pruneBuildCache(r.ID).catch((e: Error) => log(`engine: could not prune cache mount ${r.ID}: ${e.message}`));
  // Layer records are not pruned: a concurrent CI run's fresh records cannot be told apart, and
  // pruning them could break its "second build is fully cached" check.
  const layers = fresh.filter((r) => r.Type === 'regular');
  const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
  const line = `Cleanup: images, containers, volumes and temp files removed; the bench's ${mounts.length} cache mounts (${mb(mounts.reduce((a, r) => a + r.Size, 0))}) pruned; ` +
    `${layers.length} layer records new in the build cache since the start (${mb(layers.reduce((a, r) => a + r.Size, 0))}, the bench's and any concurrent build's) are left to \`docker builder prune\`.`;
  log(`engine: ${line}`);
  return line;
}

function pruneBuildCache(id: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: '/build/prune?', method: 'POST', options: { filters: JSON.stringify({ id: [id] }) }, statusCodes: { 200: true, 500: 'server error' } },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

const out = process.argv[2];
if (!out) {
  log('usage: node --import tsx bench/engine-impl.ts OUT.json');
  process.exit(2);
}
main(out).then(
  () => process.exit(0),
  (e: Error) => {
    log(`engine: failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
