// Compose v2 (`docker compose config --format json`) as the judge of equivalence: it merges, fills in
// defaults, resolves names and drops what the enabled profiles do not use, exactly as `up` sees it.
// CPD_MIGRATE_COMPOSE names the command to run (`docker compose`, a path to a docker-compose v2
// binary); `none` forces the fallback (the tool's own model), so tests can run both ways.
import { spawn, spawnSync } from 'node:child_process';

export interface ComposeCli {
  /** argv[0] and the arguments before compose's own (`docker compose` -> ['docker', 'compose']). */
  argv: string[];
  /** For the output: `docker compose 2.26.1`. */
  label: string;
}

let cached: { asked: string; cli: ComposeCli | null; why: string } | undefined;

/** The compose v2 CLI to use, or null with why it is not available (cached per process and setting). */
export function composeV2(): { cli: ComposeCli | null; why: string } {
  const asked = (process.env.CPD_MIGRATE_COMPOSE ?? '').trim();
  if (cached?.asked === asked) return cached;
  const found = probe(asked);
  cached = { asked, ...found };
  return found;
}

function probe(asked: string): { cli: ComposeCli | null; why: string } {
  if (asked === 'none') return { cli: null, why: 'compose v2 disabled by CPD_MIGRATE_COMPOSE=none' };
  const argv = asked ? asked.split(/\s+/) : ['docker', 'compose'];
  const r = spawnSync(argv[0], [...argv.slice(1), 'version', '--short'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const version = (r.stdout ?? '').trim().replace(/^v/, '');
  if (r.error || r.status !== 0) return { cli: null, why: `${argv.join(' ')} is not available` };
  if (!/^2\./.test(version)) return { cli: null, why: `${argv.join(' ')} is version ${version || 'unknown'}, not 2.x` };
  return { cli: { argv, label: `${argv.join(' ')} ${version}` }, why: '' };
}

export interface ConfigArgs {
  /** Absolute paths, in -f order. */
  files: string[];
  /** Where compose resolves relative paths and looks for .env (the folder of the first old file). */
  projectDir: string;
  project?: string;
  profiles: string[];
  envFiles?: string[];
  /** Variables set for this run only (stand-ins for unset ones). */
  vars?: Record<string, string>;
  /** Hides secrets in compose's error text (it quotes env files and values); applied before it is cut short. */
  redact?: (text: string) => string;
}

/** `config --format json` output is read up to this size (a 1 MB compose file gives far less). */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
/** Error text kept (the first lines are all that is shown). */
const MAX_ERROR_BYTES = 64 * 1024;

export type ConfigResult = { ok: true; json: Record<string, unknown> } | { ok: false; why: string };

// Set by the user's shell, they would change what every `config` call means; the commands give all of it explicitly.
const OWN_ENV = ['COMPOSE_FILE', 'COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME', 'COMPOSE_PATH_SEPARATOR', 'COMPOSE_ENV_FILES'];

const firstError = (err: string) =>
  err
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(WARN|WARNING)\b|level=warn|variable is not set/i.test(l))
    .slice(0, 2)
    .join(' ')
    .slice(0, 240) || 'failed';

/** `config --format json` of one command; calls may run in parallel. */
export function composeConfig(cli: ComposeCli, a: ConfigArgs): Promise<ConfigResult> {
  const args = [...cli.argv.slice(1), ...a.files.flatMap((f) => ['-f', f]), '--project-directory', a.projectDir];
  if (a.project) args.push('-p', a.project);
  for (const p of a.profiles) args.push('--profile', p);
  for (const e of a.envFiles ?? []) args.push('--env-file', e);
  args.push('config', '--format', 'json');
  const env = { ...process.env };
  for (const k of OWN_ENV) delete env[k];
  Object.assign(env, a.vars ?? {});
  return new Promise((resolve) => {
    const child = spawn(cli.argv[0], args, { cwd: a.projectDir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    let tooBig = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (out.length > MAX_CONFIG_BYTES && !tooBig) {
        tooBig = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d) => {
      if (err.length < MAX_ERROR_BYTES) err += d;
    });
    const hide = a.redact ?? ((t: string) => t);
    child.on('error', (e) => resolve({ ok: false, why: hide(e.message) }));
    child.on('close', (code) => {
      if (tooBig) return resolve({ ok: false, why: `config output larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB` });
      if (code !== 0) return resolve({ ok: false, why: firstError(hide(err)) });
      try {
        resolve({ ok: true, json: JSON.parse(out) as Record<string, unknown> });
      } catch {
        resolve({ ok: false, why: 'output is not JSON' });
      }
    });
  });
}

/** Variables a compose text refers to (`$X`, `${X}`, `${X:-d}`), `$$` escapes left out. */
export function variablesIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) out.add(m[1] ?? m[2]);
  return [...out];
}

/** KEY=VALUE names of a .env text. */
export function namesInEnvFile(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}
