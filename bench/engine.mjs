// Benchmark section "Generated setup (real engine)": the speed of the setup create-pio-docker
// generates (builds, dependency and source changes, entrypoint start-up, verify), measured on the
// real Docker Engine. The work runs in a child process (`node --import tsx bench/engine-impl.ts`)
// so that this module needs no TypeScript loader. Run alone: `node bench/engine.mjs`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {{ log: (line: string) => void }} options @returns {Promise<{ title: string, markdown: string }>} */
export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-bench-out-'));
  const out = join(dir, 'engine.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'engine-impl.ts'), out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (l) => log(l));
    const code = await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`bench/engine-impl.ts exited with ${code}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { title, markdown } = await run({ log: (l) => console.error(l) });
  console.log(`## ${title}\n\n${markdown}`);
}
