// The commands docs/DOCKER.md tells a team to run, checked statically: every ```sh block of its
// "Quick start" and "Troubleshooting" sections, for several answer sets. Each command parses with
// `bash -n`; every `docker compose -f F run --rm X` / `--profile P` names a service / profile that
// exists in F (as `docker-compose config` sees it); every script it calls is generated and
// executable; nothing builds with `up` (which exits 0 when the build fails).
// Not yet: running these commands for real on the Docker engine (that comes with the engine tests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { defaultAnswers, type Answers } from '../src/core/answers.js';
import { FILES } from '../src/core/paths.js';
import { renderAll } from '../src/pipeline/render.js';
import { GOLDEN_SETS } from './golden-sets.js';

const SETS: Record<string, Answers> = {
  ...GOLDEN_SETS,
  'native first, env with a space': defaultAnswers('tests-first', [
    { name: 'native', board: null, platform: 'native' },
    { name: 'esp32 debug', board: 'esp32dev', platform: 'espressif32' },
  ]),
  '40 envs': defaultAnswers('many', Array.from({ length: 40 }, (_, i) => ({ name: i === 39 ? 'last env' : `env${i}`, board: 'uno', platform: 'atmelavr' }))),
};
const SECTIONS = ['Quick start', 'Troubleshooting'];

/** The ```sh blocks of a `## NAME` section. */
function shBlocks(markdown: string, section: string): string[] {
  const start = markdown.indexOf(`\n## ${section}\n`);
  assert.ok(start >= 0, `DOCKER.md has a "${section}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const body = markdown.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/^```sh\n([^]*?)^```$/gm)].map((m) => m[1]);
}

/** Command lines of a block: continuation lines joined, comments and blank lines dropped. */
const commandLines = (block: string) =>
  block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));

/**
 * The simple commands of one line (split at `;`, `&&`, `||`, `|`), each as its words, quotes
 * removed, the comment dropped (POSIX shell rules, no expansion).
 */
function commands(line: string): string[][] {
  const py = 'import shlex, sys\nl = shlex.shlex(sys.stdin.read(), posix=True, punctuation_chars=True)\nl.whitespace_split = True\nprint("\\0".join(l), end="")';
  const r = spawnSync('python3', ['-c', py], { input: line, encoding: 'utf8' });
  assert.is(r.status, 0, `cannot split: ${line}\n${r.stderr}`);
  const out: string[][] = [[]];
  for (const t of r.stdout.split('\0')) {
    if ([';', '&&', '||', '|'].includes(t)) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out.filter((w) => w.length > 0);
}

/** The words of a line with one command. */
const words = (line: string) => commands(line)[0];

// `docker compose run` options that take a value (so the word after them is not the service).
const RUN_VALUE_OPTIONS = new Set(['-e', '--env', '-l', '--label', '-p', '--publish', '-u', '--user', '-v', '--volume', '-w', '--workdir', '--name', '--entrypoint']);

interface ComposeUse {
  file: string;
  profiles: string[];
  verb: string;
  service?: string;
}

/** What a `docker compose ...` (or `docker-compose ...`) command line uses, or null for another command. */
function composeUse(w: string[]): ComposeUse | null {
  let i = w.findIndex((x, k) => (x === 'docker' && w[k + 1] === 'compose') || x === 'docker-compose');
  if (i < 0 || w.slice(0, i).some((x) => !/^[A-Z_]+=/.test(x))) return null;
  i += w[i] === 'docker' ? 2 : 1;
  const use: ComposeUse = { file: '', profiles: [], verb: '' };
  for (; i < w.length && w[i].startsWith('-'); i += 2) {
    if (w[i] === '-f' || w[i] === '--file') use.file = w[i + 1];
    else if (w[i] === '--profile') use.profiles.push(w[i + 1]);
    else assert.unreachable(`unexpected compose option ${w[i]}`);
  }
  use.verb = w[i++];
  if (use.verb === 'run') {
    while (i < w.length && w[i].startsWith('-')) i += RUN_VALUE_OPTIONS.has(w[i]) ? 2 : 1;
    use.service = w[i];
  }
  return use;
}

for (const [name, answers] of Object.entries(SETS)) {
  test(`${name}: the Quick start and Troubleshooting commands parse, name real services and scripts, never build with up`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpd-docs-'));
    try {
      const files = renderAll(answers);
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
        if (f.executable) chmodSync(join(dir, f.path), 0o755);
      }
      const docs = files.find((f) => f.path === FILES.docs)!.content;
      const compose = new Map<string, { services: Record<string, { profiles?: string[] }> }>();
      const composeFile = (file: string) => {
        if (!compose.has(file)) {
          assert.ok(files.some((f) => f.path === file), `${file} is generated`);
          // What docker-compose itself sees, profiles included.
          const r = spawnSync('docker-compose', ['-f', file, ...profilesOf(file), 'config'], { cwd: dir, encoding: 'utf8' });
          assert.is(r.status, 0, `docker-compose -f ${file} config:\n${r.stderr}`);
          compose.set(file, parse(r.stdout));
        }
        return compose.get(file)!;
      };
      const profilesOf = (file: string) => {
        const all = Object.values(parse(files.find((f) => f.path === file)!.content, { merge: true }).services as Record<string, { profiles?: string[] }>).flatMap((s) => s.profiles ?? []);
        return [...new Set(all)].flatMap((p) => ['--profile', p]);
      };

      let checked = 0;
      for (const section of SECTIONS) {
        const blocks = shBlocks(docs, section);
        assert.ok(blocks.length > 0, `${section} has sh blocks`);
        for (const block of blocks) {
          const syntax = spawnSync('bash', ['-n'], { input: block, encoding: 'utf8' });
          assert.is(syntax.status, 0, `bash -n:\n${block}\n${syntax.stderr}`);
          for (const line of commandLines(block)) {
            checked++;
            const lineSyntax = spawnSync('bash', ['-n'], { input: line, encoding: 'utf8' });
            assert.is(lineSyntax.status, 0, `bash -n: ${line}\n${lineSyntax.stderr}`);
            for (const w of commands(line)) {
            const cmd = w.find((x) => !/^[A-Z_]+=/.test(x))!;
            if (cmd.includes('/') && !cmd.startsWith('/')) {
              const st = statSync(join(dir, cmd), { throwIfNoEntry: false });
              assert.ok(st?.isFile(), `${line}: ${cmd} is generated`);
              assert.ok((st!.mode & 0o111) !== 0, `${line}: ${cmd} is executable`);
            }
            const use = composeUse(w);
            if (!use) continue;
            assert.ok(use.file, `${line}: names its compose file with -f`);
            const c = composeFile(use.file);
            assert.is.not(use.verb, 'up', `${line}: \`up\` exits 0 when the build fails; use run --rm`);
            const known = new Set(Object.values(c.services).flatMap((s) => s.profiles ?? []));
            for (const p of use.profiles) assert.ok(known.has(p), `${line}: profile ${p} is in ${use.file}`);
            if (use.verb === 'run') {
              assert.ok(use.service && use.service in c.services, `${line}: service ${use.service} is in ${use.file} (${Object.keys(c.services).join(' ')})`);
              assert.ok(w.includes('--rm'), `${line}: run --rm leaves no container behind`);
            }
            }
          }
        }
      }
      assert.ok(checked >= 8, `${checked} commands checked`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the checks can fail: an `up` build, an unknown service, a missing script', () => {
  const use = composeUse(words('docker compose -f compose.build.yaml --profile uno up'))!;
  assert.equal(use, { file: 'compose.build.yaml', profiles: ['uno'], verb: 'up' });
  assert.equal(composeUse(words('PIO_JOBS=2 docker compose -f compose.build.yaml run --rm -e X=1 all')), { file: 'compose.build.yaml', profiles: [], verb: 'run', service: 'all' });
  assert.is(composeUse(words('ls .pio/build')), null);
  assert.equal(words(`ls '.pio/build/esp32 debug/'   # firmware`), ['ls', '.pio/build/esp32 debug/']);
  assert.equal(commands('docker compose -f c.yaml run --rm uno; echo "exit code: $?"'), [['docker', 'compose', '-f', 'c.yaml', 'run', '--rm', 'uno'], ['echo', 'exit code: $?']]);
});

test.run();
