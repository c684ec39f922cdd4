// The safety check: for every old command, the services its new profile yields must be the same as
// the ones the old command produced. Preferably compared on `docker-compose config` output (compose's
// own merge and normalisation); when docker-compose 1.29 cannot read the old files (v2-only keys,
// missing env files, ...) both sides go through this module's own model of compose's merge.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { isObj, YAML11, type Obj } from './load.js';
import { canonical, describeDifference, sameService } from './merge.js';
import { TOP_KINDS, unrename, type Plan } from './plan.js';

export interface Check {
  /** Which comparison was used, for the output. */
  method: string;
  problems: string[];
}

interface Model {
  services: Record<string, Obj>;
  top: Record<string, Obj>;
}

/** Runs docker-compose; calls run in parallel (each takes most of a second to start). */
function compose(args: string[], cwd: string): Promise<{ ok: boolean; out: string; err: string; missing?: boolean }> {
  const env = { ...process.env };
  for (const k of ['COMPOSE_FILE', 'COMPOSE_PROFILES', 'COMPOSE_PATH_SEPARATOR']) delete env[k];
  return new Promise((resolve) => {
    const child = spawn('docker-compose', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolve({ ok: false, out, err: e.message, missing: true }));
    child.on('close', (code) => resolve({ ok: code === 0, out, err }));
  });
}

const firstError = (err: string) =>
  err
    .split('\n')
    .filter((l) => l.trim() && !/^WARNING|variable is not set/i.test(l))
    .slice(0, 2)
    .join(' ')
    .slice(0, 200) || 'failed';

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

/**
 * Compares the services of old command i (run with the old files' own profile `extra`, if given)
 * with what the new file yields for the command's profile (plus `extra`).
 */
function compare(plan: Plan, i: number, oldAll: Model, all: Model, extra?: string): string[] {
  const profile = plan.group.commands[i].profile;
  const inverse = new Map([...plan.renames[i]].map(([o, n]) => [n, o]));
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
    got[orig] = unrename(strip(s), inverse, orig, orig !== n);
  }
  const problems: string[] = [];
  const where = `profile ${profile}${extra ? ` + ${extra}` : ''} (old: ${plan.oldArgs[i] || 'docker compose'}${extra ? ` --profile ${extra}` : ''} up)`;
  for (const n of Object.keys(old.services)) if (!got[n]) problems.push(`${where}: service ${n} is missing`);
  for (const n of Object.keys(got)) if (!old.services[n]) problems.push(`${where}: service ${n} would also start`);
  for (const [n, s] of Object.entries(old.services)) {
    if (got[n] && !sameService(s, got[n])) problems.push(`${where}: service ${n} differs: ${describeDifference(s, got[n])}`);
  }
  for (const k of TOP_KINDS) {
    for (const [n, v] of Object.entries(old.top[k] ?? {})) {
      const nv = all.top[k]?.[n];
      if (JSON.stringify(canonical(nv ?? null)) !== JSON.stringify(canonical(v ?? null))) problems.push(`${where}: top-level ${k}.${n} differs`);
    }
  }
  return problems;
}

/** The command alone, and with each profile its old files already had. */
function compareAll(plan: Plan, i: number, old: Model, all: Model): string[] {
  const own = [...new Set(Object.values(old.services).flatMap((s) => profilesOf(s) ?? []))];
  return [compare(plan, i, old, all), ...own.map((p) => compare(plan, i, old, all, p))].flat();
}

export async function checkEquivalence(plan: Plan): Promise<Check> {
  const { group } = plan;
  const cwd = group.folder;
  const tmp = mkdtempSync(join(tmpdir(), 'cpd-migrate-'));
  try {
    const file = join(tmp, plan.newName);
    writeFileSync(file, plan.content);
    const base = ['-f', file, '--project-directory', cwd];
    const profiles = [...new Set(group.commands.map((c) => c.profile))];
    const [olds, all] = await Promise.all([
      Promise.all(group.commands.map((cmd) => compose([...cmd.files.flatMap((f) => ['-f', f.path]), '--project-directory', cwd, 'config'], cwd))),
      compose([...base, 'config'], cwd),
    ]);
    const failed = olds.findIndex((r) => !r.ok);
    if (failed < 0) {
      if (!all.ok) return { method: 'docker-compose 1.29 config', problems: [`the new file fails docker-compose config: ${firstError(all.err)}`] };
      const perProfile = await Promise.all(profiles.map((p) => compose([...base, '--profile', p, 'config', '-q'], cwd)));
      const problems = perProfile.flatMap((r, i) => (r.ok ? [] : [`the new file fails docker-compose --profile ${profiles[i]} config: ${firstError(r.err)}`]));
      const newModel = model(parse(all.out) as Obj);
      group.commands.forEach((_, i) => problems.push(...compareAll(plan, i, model(parse(olds[i].out) as Obj), newModel)));
      return { method: 'docker-compose 1.29 config of old and new, normalised', problems };
    }
    const r = olds[failed];
    const reason = r.missing ? 'docker-compose is not installed' : `docker-compose 1.29 rejects ${group.commands[failed].files.map((f) => f.name).join(' + ')}: ${firstError(r.err)}`;
    // own model: the merge of plan.effective against the new file read back
    const newModel = model(parseDocument(plan.content, YAML11).toJS({ maxAliasCount: 10000 }) as Obj);
    const problems: string[] = [];
    group.commands.forEach((_, i) => problems.push(...compareAll(plan, i, { services: plan.effective[i].services, top: plan.effective[i].top }, newModel)));
    return { method: `own model of compose's merge (${reason})`, problems };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
