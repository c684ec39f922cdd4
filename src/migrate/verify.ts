// The safety check: for every old command, the project its new command yields must be the same as
// the one the old command produced. The judge is compose v2 (`docker compose config --format json`,
// compose-v2.ts): the whole project (services, networks, volumes, secrets, configs, project name) of
// each old command and of its new command, with the same -p, profiles and env files. Where compose v2
// is missing, both sides go through this module's own model of compose's merge (services and
// top-level entries only), and the output says so. docker-compose 1.29 is not used: it cannot read
// most real files (v2-only keys), so it judged too little.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { isObj, YAML11, type Obj } from './load.js';
import { canonical, describeDifference, sameService } from './merge.js';
import { filesRead, TOP_KINDS, unrename, type Plan } from './plan.js';
import { groupSecrets, redactFor } from './secrets.js';
import { readInputFile } from '../core/safety/read.js';
import { composeConfig, composeV2, namesInEnvFile, variablesIn, type ComposeCli, type ConfigResult } from './compose-v2.js';
import { inverseOf, mapTopKeys, mapTopRefs } from './top-renames.js';
import { basename, dirname, resolve } from 'node:path';

export interface Check {
  /** Which comparison was used, for the output. */
  method: string;
  /** true: compose v2 judged; false: the tool's own model (compose v2 missing). */
  v2: boolean;
  problems: string[];
  /** Per old command (and own profile): equal, or why not. */
  perCommand: { command: number; extra?: string; result: 'equal' | 'differs' | 'cannot load'; why?: string }[];
}

interface Model {
  services: Record<string, Obj>;
  top: Record<string, Obj>;
}

function model(data: Obj): Model {
  const top: Record<string, Obj> = {};
  for (const k of TOP_KINDS) top[k] = isObj(data[k]) ? (data[k] as Obj) : {};
  return { services: isObj(data.services) ? (data.services as Obj as Record<string, Obj>) : {}, top };
}

const profilesOf = (s: Obj): string[] | null => (Array.isArray(s.profiles) ? s.profiles.map(String) : null);
const enabled = (s: Obj, active: string[]) => {
  const p = profilesOf(s);
  return p === null || p.some((x) => active.includes(x));
};

/** The command's label in messages. */
function where(plan: Plan, i: number, extra?: string): string {
  const profile = plan.group.commands[i].profile;
  return `profile ${profile}${extra ? ` + ${extra}` : ''} (old: ${plan.oldArgs[i] || 'docker compose'}${extra ? ` --profile ${extra}` : ''} up)`;
}

/**
 * Own model: compares the services of old command i (run with the old files' own profile `extra`, if
 * given) with what the new file yields for the command's profile (plus `extra`).
 */
function compare(plan: Plan, i: number, oldAll: Model, all: Model, extra?: string): string[] {
  const profile = plan.group.commands[i].profile;
  const inverse = new Map([...plan.renames[i]].map(([o, n]) => [n, o]));
  const topInverse = inverseOf(plan.topRenames[i]);
  const strip = (s: Obj): Obj => {
    const plain: Obj = { ...s };
    delete plain.profiles;
    return plain;
  };
  const old: Model = { top: oldAll.top, services: {} };
  for (const [n, s] of Object.entries(oldAll.services)) if (enabled(s, extra ? [extra] : [])) old.services[n] = strip(s);
  const got: Record<string, Obj> = {};
  for (const [n, s] of Object.entries(all.services)) {
    if (!enabled(s, extra ? [profile, extra] : [profile])) continue;
    const orig = inverse.get(n) ?? n;
    got[orig] = mapTopRefs(unrename(strip(s), inverse, orig, orig !== n), topInverse, false);
  }
  const newTop = mapTopKeys(all.top, topInverse);
  const problems: string[] = [];
  const at = where(plan, i, extra);
  for (const n of Object.keys(old.services)) if (!got[n]) problems.push(`${at}: service ${n} is missing`);
  for (const n of Object.keys(got)) if (!old.services[n]) problems.push(`${at}: service ${n} would also start`);
  for (const [n, s] of Object.entries(old.services)) {
    if (got[n] && !sameService(s, got[n])) problems.push(`${at}: service ${n} differs: ${describeDifference(s, got[n])}`);
  }
  for (const k of TOP_KINDS) {
    for (const [n, v] of Object.entries(old.top[k] ?? {})) {
      const nv = newTop[k]?.[n];
      // a renamed entry carries the runtime name the old key had: compare without it
      const named = plan.topRenames[i][k as 'networks' | 'volumes']?.has(n) && isObj(nv) && isObj(v) && v.name === undefined ? { ...nv, name: undefined } : nv;
      if (JSON.stringify(canonical(clean(named))) !== JSON.stringify(canonical(clean(v)))) problems.push(`${at}: top-level ${k}.${n} differs`);
    }
  }
  // the default network compose creates when nothing defines it: the new file must not define it for this command
  if (old.top.networks?.default === undefined && newTop.networks?.default !== undefined && Object.keys(got).length) {
    problems.push(`${at}: top-level networks.default differs: compose's own -> ${JSON.stringify(newTop.networks.default)}`);
  }
  return problems;
}

const clean = (v: unknown): Obj | null => {
  if (!isObj(v)) return null;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = x;
  return Object.keys(out).length ? out : null;
};

/** The command alone, and with each profile its old files already had. */
function ownProfiles(services: Record<string, Obj>): string[] {
  return [...new Set(Object.values(services).flatMap((s) => profilesOf(s) ?? []))];
}

// --- compose v2 --------------------------------------------------------------------------------

/** compose v2's project of the new file with names of the old command: renames undone, profiles and x- keys dropped. */
function asOld(plan: Plan, i: number, json: Obj): Obj {
  const inverse = new Map([...plan.renames[i]].map(([o, n]) => [n, o]));
  const topInverse = inverseOf(plan.topRenames[i]);
  const out = normalizedProject(json);
  const services: Obj = {};
  for (const [n, s] of Object.entries(isObj(out.services) ? out.services : {})) {
    if (!isObj(s)) continue;
    const orig = inverse.get(n) ?? n;
    let svc = unrename(s, inverse, orig, orig !== n);
    svc = mapTopRefs(svc, topInverse, false);
    services[orig] = svc;
  }
  out.services = services;
  const top = mapTopKeys(out as Record<string, Obj>, topInverse);
  for (const k of ['networks', 'volumes'] as const) if (top[k]) out[k] = top[k];
  return out;
}

/** What compares: no x- extensions (no effect at run time), no `profiles:` on services (the commands choose). */
function normalizedProject(json: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(json)) if (!k.startsWith('x-')) out[k] = v;
  if (isObj(out.services)) {
    out.services = Object.fromEntries(
      Object.entries(out.services).map(([n, s]) => {
        if (!isObj(s)) return [n, s];
        const c: Obj = { ...s };
        delete c.profiles;
        return [n, c];
      }),
    );
  }
  return out;
}

/** Paths where two projects differ (first few): `service web differs: environment.A: "1" -> "2"`, `service x would also start`. */
export function differences(a: unknown, b: unknown, path: string[] = [], out: string[] = []): string[] {
  if (out.length >= 5) return out;
  const ca = JSON.stringify(canonical((a ?? null) as never));
  const cb = JSON.stringify(canonical((b ?? null) as never));
  if (ca === cb) return out;
  if (path.length === 2 && path[0] === 'services' && (a === undefined || b === undefined)) {
    out.push(`service ${path[1]} ${a === undefined ? 'would also start' : 'is missing'}`);
    return out;
  }
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differences(a[k], b[k], [...path, k], out);
    return out;
  }
  const short = (s: string) => (s === 'null' ? '(unset)' : s.length > 80 ? `${s.slice(0, 77)}...` : s);
  const what = path[0] === 'services' && path.length > 2 ? `service ${path[1]} differs: ${path.slice(2).join('.')}` : path.length ? `top-level ${path.join('.')} differs` : 'the project differs';
  out.push(`${what}: ${short(ca)} -> ${short(cb)}`);
  return out;
}

/** The -p the new command needs: the documented one, or the old derived name where the new file's folder would derive another. */
export function newProject(plan: Plan, i: number): string | undefined {
  const c = plan.group.commands[i];
  if (c.project) return c.project;
  return c.projectName && c.projectName !== plan.group.projectName ? c.projectName : undefined;
}

/** How the old files are fed to compose v2: as they are, or with stand-ins for what this machine lacks. */
interface Attempt {
  label: string;
  vars?: Record<string, string>;
  optionalEnvFiles?: boolean;
}

/**
 * A copy of a compose text whose env_file entries may be missing (`required: false`, compose 2.24+) and
 * whose `extends: file:` points at the original place; used for the old files and the new one alike.
 */
function withOptionalEnvFiles(text: string, from: string, optional = true): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  // include: paths are relative to the including file, which the copy is not beside
  const include = doc.get('include', true);
  if (isSeq(include)) {
    include.items = include.items.map((item) => {
      const v = (item as { toJSON(): unknown }).toJSON();
      if (typeof v === 'string') return doc.createNode(resolve(from, v));
      if (isObj(v)) {
        const e: Obj = { ...v };
        for (const k of ['path', 'env_file']) {
          if (typeof e[k] === 'string') e[k] = resolve(from, e[k] as string);
          else if (Array.isArray(e[k])) e[k] = (e[k] as string[]).map((p) => resolve(from, String(p)));
        }
        if (typeof e.project_directory === 'string') e.project_directory = resolve(from, e.project_directory);
        return doc.createNode(e);
      }
      return item;
    }) as typeof include.items;
  }
  const services = doc.get('services', true);
  if (!isMap(services)) return doc.toString();
  for (const item of services.items) {
    const svc = item.value;
    if (!isMap(svc)) continue;
    const env = svc.get('env_file', true);
    const value = env === undefined || !optional ? undefined : (svc.toJSON() as Obj).env_file;
    if (value !== undefined && value !== null) {
      const list = (Array.isArray(value) ? value : [value]).map((e) => (isObj(e) ? { ...e, required: false } : { path: String(e), required: false }));
      svc.set('env_file', doc.createNode(list));
    }
    const ext = svc.get('extends', true);
    if (isMap(ext) && typeof ext.get('file') === 'string') ext.set('file', resolve(from, String(ext.get('file'))));
  }
  return doc.toString();
}

async function checkV2(plan: Plan, cli: ComposeCli, tmp: string, hide: (t: string) => string): Promise<Check> {
  const { group } = plan;
  const unset = unsetVariables(plan);
  const attempts: Attempt[] = [{ label: '' }, { label: 'missing env files taken as empty', optionalEnvFiles: true }];
  if (unset.length) {
    const names = `${unset.slice(0, 4).join(', ')}${unset.length > 4 ? ', ...' : ''}`;
    // a path where a variable starts a volume (`${DATA}:/var/lib/x`), else "1" (a valid port, number, boolean, tag)
    const text = filesRead(group.files).map((f) => f.text).join('\n');
    const typed = Object.fromEntries(
      unset.map((n) => {
        if (new RegExp(`\\b(read_only|privileged|tty|stdin_open|init|attachable|internal|external|required)\\s*:\\s*["']?\\$\\{?${n}\\b`).test(text)) return [n, 'true'];
        return [n, new RegExp(`\\$\\{?${n}(?:[:?-][^}]*)?\\}?(?=:/|/[^:\\s]*:/)`).test(text) ? './cpd-unset' : '1'];
      }),
    );
    attempts.push({ label: `missing env files taken as empty; unset variables ${names} set to stand-in values (${Object.entries(typed).slice(0, 3).map(([k, v]) => `${k}=${v}`).join(', ')}${unset.length > 3 ? ', ...' : ''})`, optionalEnvFiles: true, vars: typed });
    attempts.push({ label: `missing env files taken as empty; unset variables ${names} set to "1"`, optionalEnvFiles: true, vars: Object.fromEntries(unset.map((n) => [n, '1'])) });
  }
  let best: { attempt: Attempt; check: Check; loaded: number } | undefined;
  for (const [n, attempt] of attempts.entries()) {
    const check = await runV2(plan, cli, tmp, attempt, n, hide);
    const loaded = check.perCommand.filter((p) => !(p.result === 'cannot load' && p.why?.startsWith('old:'))).length;
    if (!best || loaded > best.loaded) best = { attempt, check, loaded };
    if (loaded === check.perCommand.length) break;
  }
  const { attempt, check, loaded } = best!;
  if (loaded === 0) return { ...fallback(plan, `compose v2 cannot load the old files: ${check.perCommand[0]?.why ?? ''}`, hide), perCommand: check.perCommand };
  // commands compose v2 cannot load even with stand-ins still get the own model's comparison
  const own = fallback(plan, '', hide);
  for (const p of check.perCommand) {
    if (p.result !== 'cannot load' || !p.why?.startsWith('old:')) continue;
    const mine = own.perCommand.find((x) => x.command === p.command && x.extra === p.extra);
    if (mine?.result === 'differs') check.problems.push(`${where(plan, p.command, p.extra)} (own model, compose v2 cannot load it): ${mine.why}`);
    p.why = `${p.why}; own model: ${mine?.result ?? 'not run'}`;
  }
  return attempt.label ? { ...check, method: `${check.method} (with stand-ins: ${attempt.label})` } : check;
}

const ENV_MAX_BYTES = 1024 * 1024;

/** Variables the old files use that neither the environment nor the folder's .env sets. */
function unsetVariables(plan: Plan): string[] {
  let known = new Set<string>();
  try {
    known = namesInEnvFile(readInputFile(join(plan.group.folder, '.env'), '.env', ENV_MAX_BYTES));
  } catch {
    // no .env (or none this tool reads)
  }
  return [...new Set(filesRead(plan.group.files).flatMap((f) => variablesIn(f.text)))].filter((v) => process.env[v] === undefined && !known.has(v)).sort();
}

async function runV2(plan: Plan, cli: ComposeCli, tmp: string, attempt: Attempt, n: number, hide: (t: string) => string): Promise<Check> {
  const { group } = plan;
  const dir = join(tmp, `attempt-${n}`);
  mkdirSync(dir, { recursive: true });
  const newFile = join(dir, plan.newName);
  writeFileSync(newFile, attempt.optionalEnvFiles || plan.includer ? withOptionalEnvFiles(plan.content, group.folder, attempt.optionalEnvFiles) : plan.content);
  const oldPath = new Map<string, string>();
  group.files.forEach((f, k) => {
    if (!attempt.optionalEnvFiles) return oldPath.set(f.path, f.path);
    const p = join(dir, `old-${k}-${basename(f.path)}`);
    writeFileSync(p, withOptionalEnvFiles(f.text, dirname(f.path)));
    oldPath.set(f.path, p);
  });
  const jobs: { i: number; extra?: string; old: Promise<ConfigResult>; now: Promise<ConfigResult> }[] = [];
  group.commands.forEach((cmd, i) => {
    const own = ownProfiles(plan.effective[i].services);
    const documented = [...new Set(cmd.texts.flatMap((t) => t.profiles))];
    for (const extra of [undefined, ...new Set([...own, ...documented])]) {
      const extras = extra ? [extra] : [];
      const project = newProject(plan, i);
      jobs.push({
        i,
        extra,
        old: composeConfig(cli, { files: cmd.files.map((f) => oldPath.get(f.path) ?? f.path), projectDir: dirname(cmd.files[0].path), project: cmd.project, profiles: extras, envFiles: cmd.envFiles, vars: attempt.vars, redact: hide }),
        now: composeConfig(cli, { files: [newFile], projectDir: group.folder, project, profiles: [...(plan.profiled[i] ? [cmd.profile] : []), ...extras], envFiles: cmd.envFiles, vars: attempt.vars, redact: hide }),
      });
    }
  });
  const problems: string[] = [];
  const perCommand: Check['perCommand'] = [];
  for (const j of jobs) {
    const [old, now] = await Promise.all([j.old, j.now]);
    const at = where(plan, j.i, j.extra);
    if (!old.ok) {
      // the old command itself does not load here: nothing to keep equal, said per command
      perCommand.push({ command: j.i, extra: j.extra, result: 'cannot load', why: `old: ${old.why}` });
      continue;
    }
    if (!now.ok) {
      problems.push(`${at}: the new file fails compose config: ${now.why}`);
      perCommand.push({ command: j.i, extra: j.extra, result: 'cannot load', why: `new: ${now.why}` });
      continue;
    }
    const diffs = differences(normalizedProject(old.json as Obj), asOld(plan, j.i, now.json as Obj)).map(hide);
    if (diffs.length) {
      problems.push(`${at}: ${diffs.join('; ')}`);
      perCommand.push({ command: j.i, extra: j.extra, result: 'differs', why: diffs[0] });
    } else perCommand.push({ command: j.i, extra: j.extra, result: 'equal' });
  }
  return { method: `${cli.label} config of every old and new command, whole project`, v2: true, problems, perCommand };
}

/** What the own model does not know: compose v2's merge tags and `include:` (only compose v2 can judge them). */
function beyondOwnModel(plan: Plan): string[] {
  const out: string[] = [];
  const files = filesRead(plan.group.files);
  const tagged = files.filter((f) => f.mergeTags.length);
  if (tagged.length) out.push(`${tagged.map((f) => f.name).join(', ')} use${tagged.length === 1 ? 's' : ''} compose v2's merge tags (${[...new Set(tagged.flatMap((f) => f.mergeTags))].join(', ')}), which only compose v2 can check`);
  if (plan.group.files.some((f) => f.include)) out.push('include: is resolved by compose v2, which is needed to check it');
  return out;
}

/** The tool's own model of compose's merge, both sides. */
function fallback(plan: Plan, reason: string, hide: (t: string) => string = (t) => t): Check {
  const method = `own model of compose's merge, not compose itself (${hide(reason)})`;
  const beyond = beyondOwnModel(plan);
  if (beyond.length) {
    const why = `${beyond.join('; ')}; the own model refuses them (${hide(reason)})`;
    return { method, v2: false, problems: [why], perCommand: plan.group.commands.map((_, i) => ({ command: i, result: 'differs' as const, why })) };
  }
  const newModel = model(parseDocument(plan.content, YAML11).toJS({ maxAliasCount: 10000 }) as Obj);
  const problems: string[] = [];
  const perCommand: Check['perCommand'] = [];
  plan.group.commands.forEach((_, i) => {
    const old: Model = { services: plan.effective[i].services, top: plan.effective[i].top };
    for (const extra of [undefined, ...ownProfiles(old.services)]) {
      const p = compare(plan, i, old, newModel, extra).map(hide);
      problems.push(...p);
      perCommand.push({ command: i, extra, result: p.length ? 'differs' : 'equal', ...(p.length ? { why: p[0] } : {}) });
    }
  });
  return { method, v2: false, problems, perCommand };
}

export async function checkEquivalence(plan: Plan): Promise<Check> {
  const { cli, why } = composeV2();
  const hide = redactFor(groupSecrets(plan.group));
  if (!cli) return fallback(plan, why, hide);
  const tmp = mkdtempSync(join(tmpdir(), 'cpd-migrate-'));
  try {
    return await checkV2(plan, cli, tmp, hide);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
