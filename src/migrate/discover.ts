// Every split setup of a repository: compose files found by content (a top-level `services:`), any
// name, any folder (bounded depth; .git, node_modules and vendored trees skipped), grouped by the
// commands that combine them. Documented commands (commands.ts) are the contract; where a file is in
// no documented command, the commands are inferred from the file names (detect.ts: commandsOf) and
// marked as inferred. Sets whose files combine freely (a wrapper script that picks `-f` files at run
// time, or many overlays of one base) are refused with the number of combinations.
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { commandsInFile, commandsInText, isCommandSource, type FoundCommand } from './commands.js';
import { commandsOf, complete, projectName, refsOf, suffixOf, type Group, type OldCommand } from './detect.js';
import { isObj, loadComposeFile, MAX_COMPOSE_BYTES, MigrateInputError, readProjectFile, type ComposeFile } from './load.js';

const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', 'vendor', 'vendors', 'third_party', 'third-party', 'bower_components', '.venv', 'venv', '.tox', '.pio', '.cache', 'site-packages', '__pycache__', '.terraform', 'dist', 'target', 'fixtures', '__fixtures__', 'testdata']);
export const MAX_DEPTH = 6;
const MAX_ENTRIES = 20000;
/** More optional overlays of one base than this combine too freely for one profile per combination. */
export const MAX_FREE_OVERLAYS = 8;

export interface Discovery {
  groups: Group[];
  /** Sets (and files) that cannot be migrated, with why (one line each); the other sets still can. */
  refusals: string[];
  /** true when a refusal is about input it cannot read (a file skipped), not about the merge. */
  inputError: boolean;
  /** Why files were left alone (one line each). */
  untouched: string[];
  /** Documented commands naming files that are not there (the guide lists them for a manual change). */
  unresolved: FoundCommand[];
  /** Every command found in the repo (documented), for the report. */
  found: FoundCommand[];
}

const isInside = (root: string, p: string) => {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};
const YAML_NAME = /\.ya?ml$/i;

interface Walked {
  composeCandidates: { path: string; link: boolean }[];
  sources: string[];
  /** The walk stopped at MAX_ENTRIES: what lies further was not looked at. */
  truncated: boolean;
  /** YAML symlinks that lead out of the repo (not read; said so). */
  outside: string[];
}

/** Bounded walk: compose candidates (YAML, symlinks inside the repo followed) and command sources. */
function walk(root: string): Walked {
  const realRoot = realpathSync(root);
  const out: Walked = { composeCandidates: [], sources: [], truncated: false, outside: [] };
  let seen = 0;
  const visit = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++seen > MAX_ENTRIES) {
        out.truncated = true;
        return;
      }
      const p = join(dir, e.name);
      const rel = relative(root, p).split('\\').join('/');
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && depth < MAX_DEPTH) visit(p, depth + 1);
        continue;
      }
      if (e.isSymbolicLink()) {
        if (!YAML_NAME.test(e.name)) continue;
        let real: string;
        try {
          real = realpathSync(p);
        } catch {
          continue; // dangling: compose could not read it either
        }
        if (!isInside(realRoot, real)) {
          if (suffixOf(e.name) !== null) throw new MigrateInputError(`${rel}: a symlink to a file outside the project folder; refusing to read it`);
          out.outside.push(rel);
          continue;
        }
        if (statSync(real).isFile()) out.composeCandidates.push({ path: p, link: true });
        continue;
      }
      if (!e.isFile() && suffixOf(e.name) === null) continue;
      if (YAML_NAME.test(e.name) && !rel.startsWith('.github/')) out.composeCandidates.push({ path: p, link: false });
      if (isCommandSource(rel)) out.sources.push(p);
    }
  };
  visit(root, 0);
  return out;
}

/** A compose file by name, or by content (a top-level `services:` key). */
function looksLikeCompose(path: string, root: string): boolean {
  if (suffixOf(basename(path)) !== null) return true;
  try {
    if (lstatSync(path).isFile() && lstatSync(path).size > MAX_COMPOSE_BYTES) return false;
    const text = readProjectFile(path, root, relative(root, path), MAX_COMPOSE_BYTES);
    return /^services\s*:/m.test(text);
  } catch {
    return false;
  }
}

/** Files compose would take for plain `docker compose` in a folder, in its order of preference. */
function defaultFiles(folder: string, byPath: Map<string, ComposeFile>): ComposeFile[] {
  const base = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'].map((n) => byPath.get(join(folder, n))).find(Boolean);
  if (!base) return [];
  const over = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'].map((n) => byPath.get(join(folder, n))).find(Boolean);
  return over ? [base, over] : [base];
}

const key = (files: ComposeFile[], project?: string) => `${files.map((f) => f.path).join('\n')}\n${project ?? ''}`;

/** What a command is for, from its last file (the base alone: base-only). */
function purposeFor(files: ComposeFile[], implicit: boolean): string {
  if (implicit) return 'base';
  const last = files[files.length - 1];
  const sfx = suffixOf(basename(last.path));
  if (files.length === 1 && sfx === '') return 'base-only';
  // `-f x.yml -f x.override.yml` is for x
  if ((sfx === 'override' || sfx?.endsWith('.override')) && files.length > 1) return sfx === 'override' ? purposeFor(files.slice(0, -1), false) : sfx.slice(0, -'.override'.length);
  let p = sfx ?? basename(last.path).replace(YAML_NAME, '');
  if (/^(x-)?(docker-)?compose$/.test(p) || p === '') p = basename(dirname(last.path));
  return p;
}

export function discover(root: string): Discovery {
  const res: Discovery = { groups: [], refusals: [], inputError: false, untouched: [], unresolved: [], found: [] };
  const w = walk(root);
  for (const rel of w.outside) res.untouched.push(`${rel}: a symlink to a file outside the project folder; not read, left as it is`);
  if (w.truncated) res.untouched.push(`stopped looking after ${MAX_ENTRIES} files and folders; compose files further down were not looked at (run migrate on their folder)`);

  // compose files, loaded; a compose-named file that cannot be read is skipped with its reason, and
  // so is the set it belongs to (the other sets still migrate)
  const byPath = new Map<string, ComposeFile>();
  const bad: { path: string; why: string; template: boolean }[] = [];
  for (const c of w.composeCandidates) {
    if (!looksLikeCompose(c.path, root)) continue;
    try {
      const f = loadComposeFile(c.path, root);
      if (suffixOf(basename(c.path)) === null && !isObj(f.data.services)) continue;
      if (c.link) f.link = relative(realpathSync(root), realpathSync(c.path)).split('\\').join('/');
      byPath.set(c.path, f);
    } catch (e) {
      if (!(e instanceof MigrateInputError)) throw e;
      if (suffixOf(basename(c.path)) !== null) bad.push({ path: c.path, why: e.message, template: e.kind === 'template' });
    }
  }
  const relOf = (f: ComposeFile) => relative(root, f.path).split('\\').join('/') || f.name;

  // files only used by others: extends targets, symlink targets, included files
  const usedBy = new Map<string, string>();
  const includes = (f: ComposeFile) => {
    for (const inc of f.include?.files ?? []) {
      usedBy.set(inc.path, `included by ${relOf(f)}`);
      // included files deeper than the walk goes are still part of the project
      if (!byPath.has(inc.path)) byPath.set(inc.path, inc);
      includes(inc);
    }
  };
  [...byPath.values()].forEach(includes);
  const files = [...byPath.values()];
  for (const f of files) {
    for (const s of Object.values(isObj(f.data.services) ? f.data.services : {})) {
      const ext = isObj(s) && isObj(s.extends) ? s.extends.file : undefined;
      if (typeof ext === 'string') usedBy.set(resolve(dirname(f.path), ext), `extends: target of ${relOf(f)}`);
    }
    try {
      if (lstatSync(f.path).isSymbolicLink()) {
        const real = realpathSync(f.path);
        for (const g of files) if (g !== f && !lstatSync(g.path).isSymbolicLink() && realpathSync(g.path) === real) usedBy.set(g.path, `the target of the symlink ${relOf(f)}`);
      }
    } catch {
      // vanished meanwhile: the load already read it
    }
  }

  // documented commands
  const found: FoundCommand[] = [];
  for (const s of w.sources) found.push(...commandsInFile(s, root));
  for (const f of files) found.push(...commandsInText(f.text, relOf(f), [dirname(f.path), root], true));
  res.found = found;

  const cmds = new Map<string, OldCommand>();
  /** Files of one folder's inferred commands: one compose project (same folder, same name, same volumes). */
  const sameProject: ComposeFile[][] = [];
  const wrappers: { cmd: FoundCommand; folder: string }[] = [];
  for (const fc of found) {
    if (fc.dynamic) {
      wrappers.push({ cmd: fc, folder: fc.cwds[0] });
      continue;
    }
    let resolved: { files: ComposeFile[]; implicit: boolean } | undefined;
    for (const cwd of fc.cwds) {
      const env = found.find((e) => e.fromEnv && e.files.length && e.cwds[0] === cwd);
      if (fc.files.length === 0 && env && !fc.fromEnv) {
        // plain `docker compose` where .env sets COMPOSE_FILE runs those files
        const fs = env.files.map((x) => byPath.get(resolve(cwd, x)));
        if (fs.every((x): x is ComposeFile => x !== undefined)) resolved = { files: fs, implicit: false };
      } else if (fc.files.length === 0) {
        const d = defaultFiles(cwd, byPath);
        if (d.length) resolved = { files: d, implicit: true };
      } else {
        const fs = fc.files.map((x) => byPath.get(resolve(cwd, x)));
        if (fs.every((x): x is ComposeFile => x !== undefined)) resolved = { files: fs, implicit: false };
      }
      if (resolved) break;
    }
    if (!resolved) {
      if (fc.files.length) res.unresolved.push(fc);
      continue;
    }
    // a documented `-f docker-compose.yml -f docker-compose.override.yml` is the plain command
    const d = defaultFiles(dirname(resolved.files[0].path), byPath);
    if (!resolved.implicit && key(resolved.files) === key(d) && d.length) resolved.implicit = true;
    const k = key(resolved.files, fc.project);
    const c = cmds.get(k) ?? { files: resolved.files, implicit: resolved.implicit, purpose: purposeFor(resolved.files, resolved.implicit), profile: '', sources: [], texts: [], envFiles: fc.envFiles.map((e) => resolve(fc.cwds[0], e)), ...(fc.project ? { project: fc.project } : {}) };
    if (!c.sources.includes(fc.source)) c.sources.push(fc.source);
    c.texts.push({ source: fc.source, text: fc.text, profiles: fc.profiles });
    cmds.set(k, c);
  }

  // inferred commands for files no documented command runs, folder by folder
  const covered = new Set([...cmds.values()].flatMap((c) => c.files));
  const folders = [...new Set(files.map((f) => dirname(f.path)))].sort();
  /** Folders whose files cannot be combined (two base files, ...): skipped with the reason. */
  const skippedFolders = new Set<string>();
  for (const folder of folders) {
    const here = files.filter((f) => dirname(f.path) === folder && !usedBy.has(f.path));
    const open = here.filter((f) => !covered.has(f));
    if (open.length === 0) continue;
    const base = here.find((f) => suffixOf(basename(f.path)) === '') ?? baseByContent(here);
    // without a base here, a file with services that cannot run alone belongs to a base above (below)
    const named = here.filter((f) => f !== base && suffixOf(basename(f.path)) !== null && (base || Object.values(f.services).every((x) => complete(x ?? {}))));
    // other-named YAML next to a base: an overlay when it changes or needs a base service
    const overlays = here.filter((f) => suffixOf(basename(f.path)) === null && base && f !== base && needsBase(f, base));
    const set = [...(base ? [base] : []), ...named, ...overlays];
    if (set.length === 0 || (set.length === 1 && set[0] === base && suffixOf(basename(base.path)) === null)) continue;
    const rel = relative(root, folder) || '.';
    let inferred: OldCommand[];
    try {
      inferred = commandsOf(set, rel, base).filter((c) => c.files.some((f) => open.includes(f)));
    } catch (e) {
      if (!(e instanceof MigrateInputError)) throw e;
      res.refusals.push(e.message);
      res.inputError = true;
      skippedFolders.add(folder);
      continue;
    }
    for (const c of inferred) {
      // plain `docker compose up` is what it is; an -f list can take what its overlays need
      if (!c.implicit) c.files = withDependencies(c.files, set);
      const k = key(c.files);
      if (!cmds.has(k)) cmds.set(k, c);
    }
    sameProject.push(inferred.flatMap((c) => c.files));
  }
  // overlays in other folders (no base next to them): on top of the nearest base above that they need
  const inCmd = new Set([...cmds.values()].flatMap((c) => c.files));
  for (const f of files) {
    if (inCmd.has(f) || usedBy.has(f.path) || skippedFolders.has(dirname(f.path))) continue;
    for (let d = dirname(dirname(f.path)); isInside(root, d); d = dirname(d)) {
      const base = defaultFiles(d, byPath)[0];
      if (base && needsBase(f, base)) {
        const others = files.filter((g) => g !== f && !usedBy.has(g.path) && (dirname(g.path) === dirname(f.path) || dirname(g.path) === d));
        const c: OldCommand = { files: withDependencies([base, f], others), implicit: false, purpose: purposeFor([base, f], false), profile: '', sources: [], texts: [], envFiles: [] };
        cmds.set(key(c.files), c);
        inCmd.add(f);
        break;
      }
      if (d === root) break;
    }
  }

  // plain `docker compose up` runs wherever a base file is: a command even when no one wrote it down
  for (const folder of new Set([...cmds.values()].map((c) => dirname(c.files[0].path)))) {
    const d = defaultFiles(folder, byPath);
    const envSets = found.some((e) => e.fromEnv && e.files.length && e.cwds[0] === folder);
    if (d.length && !envSets && !d.some((f) => usedBy.has(f.path)) && ![...cmds.values()].some((c) => c.implicit && dirname(c.files[0].path) === folder)) {
      cmds.set(key(d), { files: d, implicit: true, purpose: 'base', profile: '', sources: [], texts: [], envFiles: [] });
    }
  }

  // groups: files connected by commands
  const parent = new Map<ComposeFile, ComposeFile>();
  const find = (f: ComposeFile): ComposeFile => (parent.get(f) === f || !parent.has(f) ? f : find(parent.get(f)!));
  const all = [...cmds.values()];
  const union = (fs: ComposeFile[]) => fs.forEach((f) => parent.set(find(f), find(fs[0])));
  for (const c of all) union(c.files);
  for (const fs of sameProject) if (fs.length) union(fs);
  // compose-named files of one folder that commands run: one project (same name, same volumes)
  for (const folder of folders) {
    const fs = all.flatMap((c) => c.files).filter((f) => dirname(f.path) === folder && suffixOf(basename(f.path)) !== null && dirname(all.find((c) => c.files.includes(f))!.files[0].path) === folder);
    if (fs.length) union(fs);
  }
  const byRoot = new Map<ComposeFile, OldCommand[]>();
  for (const c of all) byRoot.set(find(c.files[0]), [...(byRoot.get(find(c.files[0])) ?? []), c]);

  // a file that cannot be read skips its set: the one in its folder, else the nearest one above it
  // (it may be an overlay there); a template is a file of another project, never an overlay
  const groupFolders = [...byRoot.values()].map((cs) => dirname(cs[0].files[0].path));
  const tainted = new Map<string, string>();
  for (const b of bad) {
    res.refusals.push(b.why);
    res.inputError = true;
    if (b.template) continue;
    for (let d = dirname(b.path); isInside(root, d); d = dirname(d)) {
      if (groupFolders.includes(d) || files.some((f) => dirname(f.path) === d)) {
        if (groupFolders.includes(d)) tainted.set(d, relative(root, b.path));
        break;
      }
      if (d === root) break;
    }
  }

  const grouped = new Set<ComposeFile>();
  for (const commands of byRoot.values()) {
    const gfiles = [...new Set(commands.flatMap((c) => c.files))];
    gfiles.forEach((f) => grouped.add(f));
    const taint = tainted.get(dirname(commands[0].files[0].path));
    if (taint !== undefined && gfiles.length > 1) {
      res.refusals.push(`${gfiles.map(relOf).join(', ')}: left as they are, because ${taint} (of the same set) cannot be read`);
      continue;
    }
    commands.sort((a, b) => Number(b.implicit) - Number(a.implicit) || Number(b.sources.length > 0) - Number(a.sources.length > 0));
    const folder = dirname(commands[0].files[0].path);
    const rel = relative(root, folder) || '.';
    const label = gfiles.map(relOf).join(', ');
    if (gfiles.length < 2) {
      const f = gfiles[0];
      const profiled = Object.values(f.services).some((s) => s.profiles !== undefined);
      const inc = f.include ? ` whose include: brings in ${f.include.files.length} file(s) (compose v2 already runs them as one project)` : '';
      res.untouched.push(`${relOf(f)}: a single file${profiled ? ' that already uses profiles' : ''}${inc}; nothing to merge, left as it is`);
      continue;
    }
    const dirs = [...new Set(commands.map((c) => dirname(c.files[0].path)))];
    if (dirs.length > 1) {
      res.refusals.push(`${label}: the commands that combine these files run them from different project folders (${dirs.map((d) => relative(root, d) || '.').join(', ')}), so relative paths mean different things; one file cannot keep both`);
      continue;
    }
    // a wrapper that names one of these files, or runs in their folder with a computed -f list
    const wrapper = wrappers.find((x) => gfiles.some((f) => x.cmd.cwds.some((cwd) => x.cmd.files.some((p) => !/[$`]/.test(p) && resolve(cwd, p) === f.path))) || x.cmd.cwds.includes(folder));
    const bases = commands.filter((c) => c.files.length > 1).map((c) => c.files[0]);
    const overlayCount = new Set(commands.flatMap((c) => c.files.slice(1))).size;
    if (wrapper) {
      res.refusals.push(`${label}: ${wrapper.cmd.source} picks the -f files at run time (${wrapper.cmd.text.slice(0, 80)}); with ${overlayCount + 1} files that is up to ${2 ** Math.max(overlayCount, 1)} combinations, which one file with one profile per command cannot list. Give each optional part its own profile by hand (services: profiles: [name]) and run \`docker compose --profile a --profile b\`, or keep the files`);
      continue;
    }
    if (bases.length && overlayCount > MAX_FREE_OVERLAYS) {
      res.refusals.push(`${label}: ${overlayCount} overlay files of ${relOf(bases[0])} that can be combined freely (${2 ** overlayCount} combinations); one profile per combination is not practical. Give each optional part its own profile by hand, or keep the files and list the ones you use in COMPOSE_FILE`);
      continue;
    }
    for (const f of gfiles) f.name = relative(folder, f.path).split('\\').join('/');
    const { name, source } = projectName(folder, gfiles, root);
    for (const c of commands) c.projectName = c.project ?? name;
    const notes = [...usedBy].filter(([p]) => gfiles.some((f) => isInside(folder, p) && f.path !== p)).map(([p, why]) => `${relative(root, p)}: ${why}, not migrated on its own`);
    res.groups.push({ folder, rel, files: gfiles, commands, projectName: name, projectSource: source, notes });
  }
  for (const f of files) {
    if (grouped.has(f) || skippedFolders.has(dirname(f.path))) continue;
    if (usedBy.has(f.path)) res.untouched.push(`${relOf(f)}: ${usedBy.get(f.path)}; left as it is`);
    else {
      const profiled = Object.values(f.services).some((s) => s.profiles !== undefined);
      res.untouched.push(`${relOf(f)}: a standalone file${profiled ? ' that already uses profiles' : ''} that no command combines with another; nothing to merge, left as it is`);
    }
  }
  return res;
}

/**
 * A base by content where no file is named like one: the one file whose services are all complete
 * (image or build) and that other files of the folder are overlays of (they change or need its
 * services); null when no file, or more than one, is such a base.
 */
function baseByContent(here: ComposeFile[]): ComposeFile | undefined {
  const scored = here
    .filter((b) => Object.keys(b.services).length > 0 && Object.values(b.services).every((s) => complete(s ?? {})))
    .map((b) => ({ b, n: here.filter((f) => needsBase(f, b)).length }))
    .filter((x) => x.n > 0)
    .sort((x, y) => y.n - x.n);
  if (scored.length === 0 || (scored.length > 1 && scored[1].n === scored[0].n)) return undefined;
  return scored[0].b;
}

/**
 * The command's files with what its overlays need from other overlays: a service an overlay names
 * (depends_on, links, ...) that neither the base nor it defines comes from the overlay of `pool` that
 * defines it, put before it (transitively); compose cannot load the command without it.
 */
function withDependencies(files: ComposeFile[], pool: ComposeFile[]): ComposeFile[] {
  const out = [...files];
  for (let round = 0; round < 10; round++) {
    const defined = new Set(out.flatMap((f) => Object.keys(f.services)));
    const missing = [...new Set(out.flatMap((f) => Object.values(f.services).flatMap((s) => refsOf(s ?? {}))))].filter((r) => !defined.has(r));
    const add = missing.map((r) => pool.find((g) => !out.includes(g) && g.services[r] !== undefined && complete(g.services[r] ?? {}))).filter((g): g is ComposeFile => g !== undefined);
    if (add.length === 0) break;
    // before the overlays that need them, after the base
    out.splice(1, 0, ...new Set(add));
  }
  return out;
}

/** An overlay of `base`: it changes one of base's services, has a service that cannot run alone, or needs one of base's services. */
function needsBase(f: ComposeFile, base: ComposeFile): boolean {
  if (f === base) return false;
  const svcs = Object.entries(f.services);
  if (svcs.length === 0) return false;
  return svcs.some(([n, s]) => (base.services[n] !== undefined && !complete(s ?? {})) || refsOf(s ?? {}).some((r) => !f.services[r] && base.services[r])) || (svcs.every(([n]) => base.services[n] !== undefined) && svcs.some(([, s]) => !complete(s ?? {})));
}
