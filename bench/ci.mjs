// Benchmark section "CI workflow": image builds per run and cache restore scope, counted from the
// generated workflow YAML before and after issue 12 (bench/ci-impl.ts; static, nothing runs on
// GitHub). The work runs in a child process (`node --import tsx`) so that this module needs no
// TypeScript loader. Run alone: `node bench/ci.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {{ log: (line: string) => void }} options @returns {Promise<{ title: string, markdown: string }>} */
export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-bench-ci-'));
  const out = join(dir, 'ci.json');
  try {
    log('counting image builds and cache scopes in the generated workflows');
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ci-impl.ts'), out], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { title, markdown } = await run({ log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`## ${title}\n\n${markdown}`);
}
