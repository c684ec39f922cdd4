#!/usr/bin/env node
// `npm run bench`: runs the benchmark sections and writes docs/benchmarks.md (machine info, then one
// section per module). A section module exports `async function run({ log })` returning
// `{ title, markdown }`; a section that is missing or throws gets a section saying so, and the
// others still run. `npm run bench -- --only tool` runs one section and keeps the others from the
// existing docs/benchmarks.md (each section says when it was measured).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const SECTIONS = [
  { id: 'tool', file: 'tool.mjs' },
  { id: 'engine', file: 'engine.mjs' },
  { id: 'ci', file: 'ci.mjs' },
];

const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } });
const only = values.only ?? SECTIONS.map((s) => s.id);
for (const id of only) if (!SECTIONS.some((s) => s.id === id)) throw new Error(`--only: no section "${id}" (have: ${SECTIONS.map((s) => s.id).join(', ')})`);

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'not found';
  }
};
function osName() {
  try {
    return readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? os.type();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

/** Previous sections of the doc, by id, to keep the ones this run does not measure. */
function previousSections() {
  if (!existsSync(DOC)) return new Map();
  const parts = readFileSync(DOC, 'utf8').split(/^<!-- section: (\w+) -->\n/m);
  const out = new Map();
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i], parts[i + 1].trimEnd());
  return out;
}

const started = new Date();
const header = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (bench/run.mjs); not part of `npm test`. All times are wall-clock times',
  'measured side by side in the same run on this machine.',
  '',
  '| Machine | |',
  '|---|---|',
  `| CPU | ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical cores, ${os.arch()}) |`,
  `| Memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
  `| OS | ${osName()} (kernel ${os.release()}) |`,
  `| Node | ${process.version} |`,
  `| npm | ${version('npm', ['--version'])} |`,
  `| Docker Engine | ${version('docker', ['version', '--format', '{{.Server.Version}}'])} |`,
  `| Load average at start (1, 5, 15 min) | ${load()} |`,
  `| Date | ${started.toISOString()} |`,
  '',
];

const previous = previousSections();
const body = [];
for (const s of SECTIONS) {
  if (!only.includes(s.id)) {
    const kept = previous.get(s.id) ?? `## ${s.id}: not measured yet\n\nRun \`npm run bench -- --only ${s.id}\` (or \`npm run bench\`).`;
    body.push(`<!-- section: ${s.id} -->\n${kept}\n`);
    continue;
  }
  const at = `_Measured ${new Date().toISOString()}, load average at start ${load()}._`;
  const log = (line) => process.stderr.write(`[${s.id}] ${line}\n`);
  let title;
  let markdown;
  try {
    const file = join(ROOT, 'bench', s.file);
    if (!existsSync(file)) throw new Error(`bench/${s.file} does not exist`);
    ({ title, markdown } = await (await import(pathToFileURL(file).href)).run({ log }));
  } catch (e) {
    log(`failed: ${e.stack ?? e}`);
    title = `${s.id}: not measured`;
    markdown = `This section failed, so it has no figures:\n\n\`\`\`\n${String(e.stack ?? e).trim()}\n\`\`\``;
  }
  body.push(`<!-- section: ${s.id} -->\n## ${title}\n\n${at}\n\n${markdown.trim()}\n`);
}

writeFileSync(DOC, `${header.join('\n')}\n${body.join('\n')}`);
console.log(`wrote ${DOC}`);
