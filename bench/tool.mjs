// Benchmark section "Tool speed": how fast create-pio-docker itself starts and scaffolds (warm, side
// by side with create-vite), and the cold first run of the packed package from an empty npm cache.
// Measures the bundle in dist/ as it is (npm run bench bundles first). Run alone: `node bench/tool.mjs`.
// BENCH_RUNS=N sets the number of timed warm runs (default 15, after 2 warm-ups).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'create-pio-docker.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUPS = 2;

const TARGET = { warmS: 0.5, coldS: 5, packageMB: 3 };

const FIXTURE = {
  'platformio.ini': `[platformio]
default_envs = esp32dev

[env]
framework = arduino
monitor_speed = 115200

[env:esp32dev]
platform = espressif32
board = esp32dev

[env:uno]
platform = atmelavr
board = uno

[env:nucleo_f401re]
platform = ststm32
board = nucleo_f401re
`,
  'src/main.cpp': '#include <Arduino.h>\nvoid setup() {}\nvoid loop() {}\n',
  '.gitignore': '.pio\n',
};

/** A fresh fixture firmware repo (git init when git is there; not timed). */
function fixture(parent) {
  const dir = mkdtempSync(join(parent, 'fw-'));
  for (const [path, content] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  spawnSync('git', ['init', '-q', dir], { stdio: 'ignore' });
  return dir;
}

/** Environment for child npm runs: without the npm_* variables `npm run bench` sets. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

/** Runs a command to completion; resolves with its wall time in ms; rejects unless it exits 0. */
function timed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve({ ms, out });
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
}

const sec = (ms) => `${(ms / 1000).toFixed(3)} s`;
const row = (label, st, note = '') => `| ${label} | ${sec(st.median)} | ${sec(st.min)} | ${sec(st.max)} | ${st.n} | ${note} |`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

/** Times `make()` (which returns [cmd, args, opts]) WARMUPS + RUNS times; runs and checks interleave with the others. */
async function sideBySide(cases, runs = RUNS, warmups = WARMUPS) {
  const times = cases.map(() => []);
  for (let i = 0; i < warmups + runs; i++) {
    for (const [k, c] of cases.entries()) {
      const [cmd, args, opts, check] = c.make();
      const { ms } = await timed(cmd, args, opts);
      check?.();
      if (i >= warmups) times[k].push(ms);
    }
  }
  return times.map(stats);
}

function dirSize(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirSize(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

function mustExist(path) {
  if (!existsSync(path)) throw new Error(`expected ${path} to exist`);
}

async function warm(tmp, log) {
  const viteBin = join(dirname(createRequire(import.meta.url).resolve('create-vite/package.json')), 'index.js');
  const viteVersion = JSON.parse(readFileSync(join(dirname(viteBin), 'package.json'), 'utf8')).version;
  const cliUrl = pathToFileURL(join(ROOT, 'dist', 'cli.mjs')).href;
  const chunkOf = (name) => {
    const found = readFileSync(join(ROOT, 'dist', 'cli.mjs'), 'utf8').match(new RegExp(`"\\./(chunks/${name}-[\\w-]+\\.mjs)"`))?.[1];
    if (!found) throw new Error(`dist/cli.mjs: cannot find the chunk ${name}-*.mjs`);
    return found;
  };
  // Without a terminal (--yes in CI, this bench) the scaffold loads only the pipeline; in a
  // terminal it loads Yeoman and inquirer too, to prompt.
  const chunk = chunkOf('scaffold');
  const chunkUrl = pathToFileURL(join(ROOT, 'dist', chunk)).href;
  const ttyChunk = chunkOf('run-generator');
  const ttyChunkUrl = pathToFileURL(join(ROOT, 'dist', ttyChunk)).href;
  const node = process.execPath;

  log(`warm scaffold: ${WARMUPS} warm-ups + ${RUNS} runs each, interleaved with create-vite ${viteVersion}`);
  const [ours, vite] = await sideBySide([
    {
      make: () => {
        const dir = fixture(tmp);
        return [node, [BIN, '--yes'], { cwd: dir }, () => mustExist(join(dir, 'compose.build.yaml'))];
      },
    },
    {
      make: () => {
        const dir = mkdtempSync(join(tmp, 'vite-'));
        return [node, [viteBin, 'app', '--template', 'vanilla-ts', '--no-interactive'], { cwd: dir }, () => mustExist(join(dir, 'app', 'package.json'))];
      },
    },
  ]);

  log('start-up: node -e 0, --help, importing the bundle');
  const [bare, help, importCli, importScaffold, importTty] = await sideBySide([
    { make: () => [node, ['-e', '0'], { cwd: tmp }] },
    { make: () => [node, [BIN, '--help'], { cwd: tmp }] },
    { make: () => [node, ['--input-type=module', '-e', `await import(${JSON.stringify(cliUrl)})`], { cwd: tmp }] },
    { make: () => [node, ['--input-type=module', '-e', `await import(${JSON.stringify(cliUrl)}); await import(${JSON.stringify(chunkUrl)})`], { cwd: tmp }] },
    { make: () => [node, ['--input-type=module', '-e', `await import(${JSON.stringify(cliUrl)}); await import(${JSON.stringify(ttyChunkUrl)})`], { cwd: tmp }] },
  ]);

  // For reference: the same code unbundled (fewer runs: it is slow).
  log('reference: the unbundled stack');
  const refRuns = Math.min(RUNS, 5);
  const [unbundledImport] = await sideBySide([{ make: () => [node, ['--input-type=module', '-e', "await Promise.all(['yeoman-environment', 'yeoman-generator', 'dockerode'].map((m) => import(m)))"], { cwd: ROOT }] }], refRuns, 1);
  const tscCli = join(ROOT, 'dist', 'src', 'cli.js');
  let unbundledCli;
  if (existsSync(tscCli)) {
    const code = `const { main } = await import(${JSON.stringify(pathToFileURL(tscCli).href)}); process.exitCode = await main(['--yes']);`;
    [unbundledCli] = await sideBySide([{ make: () => {
      const dir = fixture(tmp);
      return [node, ['--input-type=module', '-e', code], { cwd: dir }, () => mustExist(join(dir, 'compose.build.yaml'))];
    } }], refRuns, 1);
  }

  const ratio = ours.median / vite.median;
  const md = [
    '### Warm scaffold',
    '',
    `\`create-pio-docker --yes\` into a fresh fixture repo each run (platformio.ini with 3 envs, git repo), against`,
    `\`create-vite ${viteVersion} --template vanilla-ts --no-interactive\` into a fresh folder each run; both run`,
    `with \`node\` directly from this checkout, interleaved, ${WARMUPS} warm-ups each not counted.`,
    '',
    '| Command | Median | Min | Max | Runs | Note |',
    '|---|---|---|---|---|---|',
    row('create-pio-docker --yes (bundle)', ours, `**${ratio.toFixed(1)}× create-vite**`),
    row(`create-vite ${viteVersion} --template vanilla-ts`, vite),
    '',
    '### Start-up',
    '',
    '| Command | Median | Min | Max | Runs | Note |',
    '|---|---|---|---|---|---|',
    row('node -e 0', bare, 'Node itself'),
    row('create-pio-docker --help', help, 'loads dist/cli.mjs and its small chunks only'),
    row('import dist/cli.mjs', importCli, 'process wall time'),
    row(`import dist/cli.mjs + ${chunk}`, importScaffold, 'all the code `--yes` without a terminal loads (pipeline, renderers; no Yeoman), no work'),
    row(`import dist/cli.mjs + ${ttyChunk}`, importTty, 'what a run in a terminal loads (adds Yeoman and inquirer, to prompt)'),
    row('import yeoman-environment + yeoman-generator + dockerode (unbundled)', unbundledImport, 'reference: what start-up cost before bundling'),
    ...(unbundledCli ? [row('create-pio-docker --yes, unbundled (tsc output in dist/src)', unbundledCli, 'reference: the same command before bundling')] : []),
    '',
  ];
  return { ours, vite, ratio, bare, importScaffold, md };
}

async function cold(tmp, log) {
  const env = cleanEnv();
  log('cold: npm pack');
  const packed = JSON.parse(spawnSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, env, encoding: 'utf8' }).stdout)[0];
  const tgz = join(tmp, packed.filename);

  const project = join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cold-start', version: '1.0.0', private: true }));
  const cache = mkdtempSync(join(tmp, 'npm-cache-'));
  log('cold: npm install from an empty cache');
  const install = await timed('npm', ['install', '--cache', cache, '--no-audit', '--no-fund', '--loglevel=error', tgz], { cwd: project, env });
  const lock = JSON.parse(readFileSync(join(project, 'node_modules', '.package-lock.json'), 'utf8'));
  const installed = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/'));
  const nodeModulesBytes = dirSize(join(project, 'node_modules'));

  const fw = fixture(project);
  log('cold: first run');
  const first = await timed(join(project, 'node_modules', '.bin', 'create-pio-docker'), ['--yes'], { cwd: fw, env });
  mustExist(join(fw, 'compose.build.yaml'));

  // What `npm init pio-docker` does: npm exec fetches the package into its cache and runs the bin.
  const fw2 = fixture(tmp);
  const cache2 = mkdtempSync(join(tmp, 'npm-cache-'));
  log('cold: npm exec from an empty cache');
  const exec = await timed('npm', ['exec', '--yes', '--cache', cache2, '--loglevel=error', `--package=${tgz}`, '--', 'create-pio-docker', '--yes'], { cwd: fw2, env });
  mustExist(join(fw2, 'compose.build.yaml'));

  const total = install.ms + first.ms;
  const md = [
    '### Cold first run',
    '',
    'The packed package (`npm pack`) installed into an empty project with an empty npm cache, then run',
    'once in a fixture repo. Single runs (a cold run happens once).',
    '',
    '| Step | Time | Note |',
    '|---|---|---|',
    `| npm install ${packed.filename} | ${sec(install.ms)} | ${installed.length} package(s) installed: ${installed.map((p) => p.replace('node_modules/', '')).join(', ')} |`,
    `| first create-pio-docker --yes | ${sec(first.ms)} | node_modules/.bin/create-pio-docker |`,
    `| **install + first run** | **${sec(total)}** | |`,
    `| npm exec --package=${packed.filename} -- create-pio-docker --yes | ${sec(exec.ms)} | what \`npm init pio-docker\` does; empty cache |`,
    '',
    '| Package | |',
    '|---|---|',
    `| Tarball | ${mb(packed.size)} (${packed.entryCount} files) |`,
    `| Unpacked | ${mb(packed.unpackedSize)} |`,
    `| Installed node_modules | ${mb(nodeModulesBytes)} |`,
    `| Runtime dependencies | ${installed.length - 1} |`,
    '',
  ];
  return { install, first, total, exec, packed, installed, md };
}

/** @param {{ log: (line: string) => void }} options @returns {Promise<{ title: string, markdown: string }>} */
export async function run({ log }) {
  const tmp = mkdtempSync(join(tmpdir(), 'cpd-bench-tool-'));
  try {
    const w = await warm(tmp, log);
    const c = await cold(tmp, log);
    const startup = w.bare.median;
    const loading = w.importScaffold.median - startup;
    const targets = [
      [
        `Warm scaffold median ≤ ${TARGET.warmS} s`,
        sec(w.ours.median),
        w.ours.median <= TARGET.warmS * 1000,
        `Node alone takes ${sec(startup)} to start here and loading the scaffolding code (pipeline, renderers, ejs, yaml) another ${sec(loading)}; create-vite loads a few kB.`,
      ],
      [`Cold install + first run ≤ ${TARGET.coldS} s`, sec(c.total), c.total <= TARGET.coldS * 1000, 'npm install time dominates (registry metadata, extraction).'],
      [
        `Package ≤ ${TARGET.packageMB} MB`,
        `${mb(c.packed.unpackedSize)} unpacked, ${mb(c.packed.size)} tarball`,
        c.packed.unpackedSize <= TARGET.packageMB * 1e6,
        'The bundle holds Yeoman, inquirer, dockerode, yaml, ejs and their dependencies.',
      ],
      ['No (or very few) runtime dependencies', `${c.installed.length - 1}`, c.installed.length - 1 <= 2, 'A dependency is left out of the bundle.'],
    ];
    const table = [
      '### Targets',
      '',
      '| Target | Measured | Met | Reason if not |',
      '|---|---|---|---|',
      ...targets.map(([t, m, ok, why]) => `| ${t} | ${m} | ${ok ? 'yes' : '**no**'} | ${ok ? '' : why} |`),
      '',
      `Ratio to create-vite (warm, medians): ${w.ratio.toFixed(1)}×. For reference (from the issue): the`,
      'unbundled stack is 286 packages / 82 MB and took ~33 s to install.',
      '',
    ];
    return { title: 'Tool speed', markdown: [...table, ...w.md, ...c.md].join('\n') };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { title, markdown } = await run({ log: (l) => console.error(l) });
  console.log(`## ${title}\n\n${markdown}`);
}
