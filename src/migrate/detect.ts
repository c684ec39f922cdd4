// Finds the old compose files (root, docker/, docker/compose/, compose/) and works out which
// commands they were used with: `docker compose up` (base + docker-compose.override.yml),
// `-f base -f X` for override files, `-f X` for files that stand alone.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { isObj, loadComposeFile, MigrateInputError, readProjectFile, type ComposeFile, type Obj } from './load.js';

export const SEARCH_DIRS = ['.', 'docker', 'docker/compose', 'compose'];
const COMPOSE_NAME = /^(?:docker-)?compose(?:[.-](.+?))?\.ya?ml$/;

export interface OldCommand {
  /** In `-f` order. */
  files: ComposeFile[];
  /** true: run without -f (base file, plus docker-compose.override.yml when present). */
  implicit: boolean;
  /** What the file names say: "base" or the suffix (`runner`, `dev`, `build`, ...). */
  purpose: string;
  /** Profile in the new file (set by the planner). */
  profile: string;
  /** Where the repo documents it (`README.md:12`, ...); empty: inferred from the files. */
  sources: string[];
  /** The documented lines, as written (for the guide). */
  texts: { source: string; text: string; profiles: string[] }[];
  /** `-p` as documented (or COMPOSE_PROJECT_NAME of a documented .env). */
  project?: string;
  /** `--env-file` as documented (absolute). */
  envFiles: string[];
  /** The project name the old command ran as. */
  projectName?: string;
}

export interface Group {
  /** Absolute folder of the old files (the new file goes there too: same project name, same relative paths). */
  folder: string;
  /** Folder relative to the project root ('.' for the root). */
  rel: string;
  files: ComposeFile[];
  commands: OldCommand[];
  /** The compose project name the old commands ran as, and why. */
  projectName: string;
  projectSource: string;
  /** Files only other files use (extends: targets, symlink targets), shown for completeness. */
  notes?: string[];
}

/** Suffix of a compose file name; '' for the base file. */
export function suffixOf(name: string): string | null {
  const m = COMPOSE_NAME.exec(name);
  return m ? (m[1] ?? '') : null;
}

/** What a file name says it is for: the compose suffix (`dev`), else the name without `.yml` (`jibri`). */
export function purposeOf(name: string): string {
  const sfx = suffixOf(name);
  if (sfx !== null) return sfx || 'base';
  return name.replace(/\.ya?ml$/i, '');
}

/** Compose file names in one folder, without backups. */
export function composeFilesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && suffixOf(e.name) !== null)
    .map((e) => e.name)
    .sort();
}

/**
 * Compose-named symlinks in a folder that lead out of the project: refused rather
 * than silently left out, so that nobody thinks they were migrated. (Symlinks within the project
 * are left out as before: the files they point at are migrated where they are.)
 */
function outsideLinks(folder: string, root: string): string[] {
  if (!existsSync(folder)) return [];
  const realRoot = realpathSync(root);
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isSymbolicLink() && suffixOf(e.name) !== null)
    .map((e) => e.name)
    .filter((n) => {
      let real: string;
      try {
        real = realpathSync(join(folder, n));
      } catch {
        return false; // dangling: compose could not read it either; left out as before
      }
      const rel = relative(realRoot, real);
      return rel.startsWith('..') || isAbsolute(rel);
    })
    .sort();
}

/** docker-compose 1.29's project name: COMPOSE_PROJECT_NAME in the folder's .env, else the folder name. */
export function projectName(folder: string, files: ComposeFile[], root: string): { name: string; source: string } {
  const named = files.map((f) => f.data.name).filter((n): n is string => typeof n === 'string');
  if (named.length) return { name: named[0], source: 'top-level name: in the old files' };
  const env = join(folder, '.env');
  if (existsSync(env)) {
    // line by line: with the m flag, `^\s*` would run across blank lines from every line start (quadratic)
    const text = readProjectFile(env, root, relative(root, env));
    for (const line of text.split('\n')) {
      const m = /^\s*COMPOSE_PROJECT_NAME\s*=\s*["']?([^"'\s#]+)/.exec(line);
      if (m) return { name: m[1], source: `COMPOSE_PROJECT_NAME in ${basename(folder)}/.env` };
    }
  }
  const name = basename(folder).toLowerCase().replace(/[^-_a-z0-9]/g, '');
  return { name, source: `the folder name (${basename(folder)}), as compose derives it from the first -f file` };
}

export const complete = (s: Obj) => s.image !== undefined || s.build !== undefined;

/** Groups of old files, one per folder that has any. Throws MigrateInputError for input it cannot read. */
export function detect(root: string): Group[] {
  const groups: Group[] = [];
  for (const sub of SEARCH_DIRS) {
    const folder = join(root, sub);
    const links = outsideLinks(folder, root);
    if (links.length) throw new MigrateInputError(`${relative(root, join(folder, links[0]))}: a symlink to a file outside the project folder; refusing to read it`);
    const names = composeFilesIn(folder);
    if (names.length === 0) continue;
    const files = names.map((n) => loadComposeFile(join(folder, n), root));
    const rel = relative(root, folder) || '.';
    const { name, source } = projectName(folder, files, root);
    groups.push({ folder, rel, files, commands: commandsOf(files, rel), projectName: name, projectSource: source });
  }
  return groups;
}

/**
 * The commands of one folder's files. `base`: the base file when known (a base found by content, named
 * like no compose file, is run with `-f` and takes no docker-compose.override.yml).
 */
export function commandsOf(files: ComposeFile[], rel: string, base0?: ComposeFile): OldCommand[] {
  const bases = base0 ? [base0] : files.filter((f) => suffixOf(f.name) === '');
  if (bases.length > 1) throw new MigrateInputError(`${rel}: more than one base file (${bases.map((f) => f.name).join(', ')}); compose would pick one of them, the migration cannot tell which`);
  const base = bases[0];
  const byName = base !== undefined && suffixOf(base.name) === '';
  const auto = base && !byName ? undefined : files.find((f) => suffixOf(f.name) === 'override');
  const commands: OldCommand[] = [];
  // a compose-named base by content (docker-compose.prod.yml that others patch) keeps its name's purpose
  const basePurpose = byName || !base || suffixOf(base.name) === null ? 'base' : purposeOf(base.name);
  if (base) commands.push({ files: auto ? [base, auto] : [base], implicit: byName, purpose: basePurpose, profile: '', sources: [], texts: [], envFiles: [] });
  else if (auto) throw new MigrateInputError(`${rel}: ${auto.name} without a base docker-compose.yml`);
  const rest = files.filter((f) => f !== base && f !== auto);
  // `X.override` files are applied after `X` (e.g. docker-compose.test.yml + docker-compose.test.override.yml)
  const chained = new Set(rest.filter((f) => purposeOf(f.name).endsWith('.override') && rest.some((g) => purposeOf(g.name) === purposeOf(f.name).slice(0, -'.override'.length))));
  for (const f of rest) {
    if (chained.has(f)) continue;
    const purpose = byName || !base ? purposeOf(f.name) : overlayPurpose(f.name, base.name);
    const extra = rest.filter((g) => chained.has(g) && purposeOf(g.name) === `${purpose}.override`);
    const svcs = Object.entries(f.services);
    // an override when it changes a base service, names one, or has services that cannot run alone
    const overlaps = base !== undefined && svcs.some(([n]) => base.services[n] !== undefined);
    const partial = svcs.filter(([, s]) => !complete(s ?? {})).map(([n]) => n);
    const needsBase = base !== undefined && svcs.some(([, s]) => refsOf(s).some((r) => !f.services[r] && base.services[r]));
    // a complete file with its own `.override` partner is a base of its own (`-f x.yml -f x.override.yml`)
    const ownBase = extra.length > 0 && partial.length === 0 && !needsBase && svcs.length > 0;
    // a file without services (only networks/volumes) only makes sense on top of the base
    if (base && !ownBase && (overlaps || needsBase || partial.length > 0 || svcs.length === 0)) {
      commands.push({ files: [base, f, ...extra], implicit: false, purpose, profile: '', sources: [], texts: [], envFiles: [] });
    } else {
      if (partial.length) throw new MigrateInputError(`${rel}/${f.name}: service ${partial[0]} has neither image nor build and there is no base file it could override`);
      commands.push({ files: [f, ...extra], implicit: false, purpose, profile: '', sources: [], texts: [], envFiles: [] });
    }
  }
  return commands;
}

/** `shop.debug.yml` beside the base `shop.base.yml` is for `debug`: the base's stem is no purpose. */
function overlayPurpose(name: string, base: string): string {
  const p = purposeOf(name);
  const stem = base.replace(/\.ya?ml$/i, '').replace(/[._-]base$/i, '');
  for (const sep of ['.', '-', '_']) if (stem && p.startsWith(`${stem}${sep}`) && p.length > stem.length + 1) return p.slice(stem.length + 1);
  return p;
}

/** Services a service names: depends_on, links, network_mode service:X, volumes_from. */
export function refsOf(s: Obj): string[] {
  const out: string[] = [];
  if (Array.isArray(s.depends_on)) out.push(...s.depends_on.map(String));
  else if (isObj(s.depends_on)) out.push(...Object.keys(s.depends_on));
  if (Array.isArray(s.links)) out.push(...s.links.map((l) => String(l).split(':')[0]));
  if (typeof s.network_mode === 'string' && s.network_mode.startsWith('service:')) out.push(s.network_mode.slice(8));
  if (Array.isArray(s.volumes_from)) out.push(...s.volumes_from.map((v) => String(v).replace(/^service:/, '').split(':')[0]));
  return out;
}

// settings that only matter for a running container: a service with build: and none of them only builds an image
const RUNTIME_KEYS = ['command', 'entrypoint', 'ports', 'volumes', 'restart', 'environment', 'env_file', 'depends_on', 'healthcheck', 'deploy', 'devices', 'stdin_open', 'tty', 'network_mode'];

export type ServiceClass = 'runner' | 'image build' | 'build/run container' | 'app service';

/** What a service is for, from its settings (shown in the proposal; it also names build-file profiles). */
export function classify(name: string, s: Obj): ServiceClass {
  const build = isObj(s.build) ? String(s.build.context ?? '') : String(s.build ?? '');
  const text = [name, s.image, s.container_name, build].map((x) => String(x ?? '')).join(' ');
  const envKeys = isObj(s.environment) ? Object.keys(s.environment) : Array.isArray(s.environment) ? s.environment.map((e) => String(e).split('=')[0]) : [];
  if (/runner/i.test(text) || envKeys.some((k) => /^(ACTIONS_RUNNER|RUNNER_(TOKEN|NAME|URL|LABELS))/.test(k))) return 'runner';
  if (s.build !== undefined && !RUNTIME_KEYS.some((k) => s[k] !== undefined)) return 'image build';
  const run = [s.image, s.command, s.entrypoint].map((x) => JSON.stringify(x ?? '')).join(' ');
  const mountsSource = Array.isArray(s.volumes) && s.volumes.some((v) => /^\.\.?\/?:/.test(String(v)));
  if (/platformio|\bpio\b/i.test(run) || (mountsSource && s.ports === undefined && (s.command !== undefined || s.entrypoint !== undefined))) return 'build/run container';
  return 'app service';
}
