// The compose commands a repository documents: scripts, Makefiles, package.json scripts, CI
// workflows, README/docs, comments in compose files, and `.env` (COMPOSE_FILE, COMPOSE_PROFILES,
// COMPOSE_PROJECT_NAME). Those commands are the contract migrate must keep. A command whose `-f`
// list is computed at run time (`-f "$file"`, `$(COMPOSE_FILES)`) is a wrapper: the combinations are
// free, which one file with profiles cannot list.
import { basename, dirname, extname, relative } from 'node:path';
import { readProjectFile } from './load.js';

export interface FoundCommand {
  /** Where it was found: `README.md:12`. */
  source: string;
  /** Folder the command runs in (absolute): the file's folder, the repo root for docs and CI. */
  cwds: string[];
  /** The `-f` values as written (empty: compose's default files). */
  files: string[];
  project?: string;
  profiles: string[];
  envFiles: string[];
  /** The line as written (one line, trimmed), for the guide. */
  text: string;
  /** true: `-f` (or COMPOSE_FILE) comes from a variable or substitution: chosen at run time. */
  dynamic: boolean;
  /** From `.env`: plain `docker compose` in that folder means this. */
  fromEnv?: boolean;
}

const SCAN_MAX_BYTES = 256 * 1024;
// compose's subcommands that use the project files (`docker-compose file for ...` in prose is no command)
export const SUBCOMMANDS = new Set(['up', 'down', 'run', 'exec', 'build', 'pull', 'push', 'config', 'convert', 'start', 'stop', 'restart', 'logs', 'ps', 'create', 'rm', 'kill', 'pause', 'unpause', 'top', 'images', 'port', 'events', 'cp', 'watch', 'scale', 'attach', 'stats', 'wait', 'alpha']);

/** Which files are scanned for commands, by name. */
export function isCommandSource(rel: string): boolean {
  const name = basename(rel);
  const ext = extname(name).toLowerCase();
  if (/^(makefile|gnumakefile|justfile|taskfile\.ya?ml|dockerfile|package\.json|\.env|\.gitlab-ci\.yml|jenkinsfile)$/i.test(name)) return true;
  if (['.sh', '.bash', '.zsh', '.mk', '.md', '.rst', '.txt', '.adoc', '.ps1', '.cmd', '.bat', '.py'].includes(ext)) return true;
  if (/^\.github\/workflows\//.test(rel.split('\\').join('/')) && (ext === '.yml' || ext === '.yaml')) return true;
  return false;
}

/** Shell-like words of one command line; `$`/backticks kept in the word so it counts as dynamic. */
function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = null;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      q = c;
      has = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
      continue;
    }
    if (';|&)`<>#'.includes(c) && !(c === '#' && cur)) {
      if (has || cur) out.push(cur);
      break;
    }
    cur += c;
  }
  if (!q && (has || cur)) out.push(cur);
  return out;
}

const DYNAMIC = /[$`]|\{\{|<[A-Za-z_-]+>|\*/;

/** One `docker compose`/`docker-compose` invocation from the text after it, or null when it uses no project. */
function parseInvocation(rest: string): Omit<FoundCommand, 'source' | 'cwds' | 'text'> | null {
  const w = words(rest);
  const cmd: Omit<FoundCommand, 'source' | 'cwds' | 'text'> = { files: [], profiles: [], envFiles: [], dynamic: false };
  let sub: string | undefined;
  for (let i = 0; i < w.length; i++) {
    const t = w[i];
    const opt = /^(--file|-f|--project-name|-p|--profile|--env-file|--project-directory)(?:=(.*))?$/.exec(t) ?? (/^-f(.+)$/.exec(t) ? ['', '-f', t.slice(2)] : null);
    if (opt) {
      const v = opt[2] ?? w[++i];
      if (v === undefined) break;
      if (DYNAMIC.test(v)) cmd.dynamic ||= opt[1] === '-f' || opt[1] === '--file';
      if (opt[1] === '-f' || opt[1] === '--file') cmd.files.push(v);
      else if (opt[1] === '-p' || opt[1] === '--project-name') cmd.project = v;
      else if (opt[1] === '--profile') cmd.profiles.push(v);
      else if (opt[1] === '--env-file') cmd.envFiles.push(v);
      continue;
    }
    if (t.startsWith('-')) continue; // --ansi never, --compatibility, ...: no value we need
    if (DYNAMIC.test(t) && !sub) {
      // `docker compose $COMPOSE_ARGS up`, `$(FILES)`: the file list is picked at run time
      cmd.dynamic = true;
      continue;
    }
    sub = t;
    break;
  }
  if (sub === undefined && cmd.files.length === 0) return null;
  if (sub !== undefined && !SUBCOMMANDS.has(sub)) return null;
  return cmd;
}

/** Logical lines: `\`-continued lines joined; the 1-based number of the first. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let l = raw[i];
    while (/\\\s*$/.test(l) && i + 1 < raw.length) l = l.replace(/\\\s*$/, ' ') + raw[++i];
    out.push({ line: start + 1, text: l });
  }
  return out;
}

const INVOCATION = /\bdocker(?:-compose|\s+compose)\b(?!\.)/g;

/** Commands in one text (a script, a doc, a compose file's comments). */
export function commandsInText(text: string, source: string, cwds: string[], commentsOnly = false): FoundCommand[] {
  const out: FoundCommand[] = [];
  for (const { line, text: l } of logicalLines(text)) {
    let body = l;
    if (commentsOnly) {
      const m = /^\s*#(.*)$/.exec(l);
      if (!m) continue;
      body = m[1];
    }
    if (body.length > 4000) continue;
    for (const m of body.matchAll(INVOCATION)) {
      const inv = parseInvocation(body.slice(m.index! + m[0].length));
      if (inv) out.push({ ...inv, source: `${source}:${line}`, cwds, text: body.trim().replace(/\s+/g, ' ').slice(0, 300) });
    }
  }
  return out;
}

/** COMPOSE_FILE / COMPOSE_PROFILES / COMPOSE_PROJECT_NAME of a `.env`: what plain `docker compose` runs there. */
export function commandOfEnv(text: string, source: string, folder: string): FoundCommand | null {
  const v: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?(COMPOSE_FILE|COMPOSE_PROFILES|COMPOSE_PROJECT_NAME|COMPOSE_PATH_SEPARATOR)\s*=\s*(.*)$/.exec(line);
    if (m) v[m[1]] = m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  if (v.COMPOSE_FILE === undefined && v.COMPOSE_PROFILES === undefined) return null;
  const sep = v.COMPOSE_PATH_SEPARATOR || (process.platform === 'win32' ? ';' : ':');
  const files = v.COMPOSE_FILE ? v.COMPOSE_FILE.split(sep).filter(Boolean) : [];
  const profiles = v.COMPOSE_PROFILES ? v.COMPOSE_PROFILES.split(',').map((p) => p.trim()).filter(Boolean) : [];
  return {
    source,
    cwds: [folder],
    files,
    ...(v.COMPOSE_PROJECT_NAME ? { project: v.COMPOSE_PROJECT_NAME } : {}),
    profiles,
    envFiles: [],
    text: ['COMPOSE_FILE', 'COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME'].filter((k) => v[k] !== undefined).map((k) => `${k}=${v[k]}`).join(' '),
    dynamic: files.some((f) => DYNAMIC.test(f)),
    fromEnv: true,
  };
}

/** Commands in one source file of the repo (not a compose file: see commandsInText with commentsOnly). */
export function commandsInFile(path: string, root: string): FoundCommand[] {
  const rel = relative(root, path).split('\\').join('/');
  let text: string;
  try {
    text = readProjectFile(path, root, rel, SCAN_MAX_BYTES);
  } catch {
    return []; // unreadable, too big, a FIFO, outside the repo: not a source of commands
  }
  const here = dirname(path);
  // docs and CI run from the repository root; scripts often `cd` there first: try both
  const cwds = here === root ? [root] : [here, root];
  const name = basename(path);
  if (name === '.env') {
    const c = commandOfEnv(text, rel, here);
    return c ? [c] : [];
  }
  if (name === 'package.json') {
    try {
      const scripts = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {};
      return Object.entries(scripts).flatMap(([k, v]) => (typeof v === 'string' ? commandsInText(v, `${rel} (scripts.${k})`, [here]) : []));
    } catch {
      return [];
    }
  }
  return commandsInText(text, rel, cwds);
}
