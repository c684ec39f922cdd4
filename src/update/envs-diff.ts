// What changed between the envs we generated for and the envs platformio.ini defines now.
import type { EnvAnswer } from '../core/answers.js';

export interface EnvChanges {
  /** The envs to generate for now: stored order kept, renames in place, new ones appended. */
  envs: EnvAnswer[];
  added: string[];
  removed: string[];
  renamed: { from: string; to: string }[];
  changed: { name: string; field: 'board' | 'platform'; from: string | null; to: string | null }[];
  /** Set when the first env (the build's TARGET_BOARD default) is a different one now. */
  defaultEnv: { from: string; to: string } | null;
}

/**
 * `current` is platformio.ini's envs, default_envs first; `defaults` its default_envs. An env that
 * disappeared while one with the same board and platform appeared is reported as a rename and
 * keeps the old one's place, so renaming the default env does not change which env is the default.
 */
export function diffEnvs(stored: EnvAnswer[], current: EnvAnswer[], defaults: string[] = []): EnvChanges {
  const now = new Map(current.map((e) => [e.name, e]));
  const before = new Set(stored.map((e) => e.name));
  const gone = stored.filter((e) => !now.has(e.name));
  const fresh = current.filter((e) => !before.has(e.name));

  const renamedTo = new Map<string, EnvAnswer>();
  for (const old of gone) {
    if (old.board === null && old.platform === null) continue; // nothing to recognise it by
    const match = fresh.find((e) => e.board === old.board && e.platform === old.platform && ![...renamedTo.values()].includes(e));
    if (match) renamedTo.set(old.name, match);
  }
  const renamedNew = new Set(renamedTo.values());

  const envs: EnvAnswer[] = [];
  const changed: EnvChanges['changed'] = [];
  for (const s of stored) {
    const cur = now.get(s.name);
    if (cur) {
      envs.push({ ...cur });
      for (const field of ['board', 'platform'] as const) {
        if (s[field] !== cur[field]) changed.push({ name: s.name, field, from: s[field], to: cur[field] });
      }
    } else if (renamedTo.has(s.name)) envs.push({ ...renamedTo.get(s.name)! });
  }
  envs.push(...fresh.filter((e) => !renamedNew.has(e)).map((e) => ({ ...e })));

  const first = stored[0]?.name;
  // The default env itself is gone: platformio.ini's default_envs names the next one, rather than
  // whichever env happened to be second. (Otherwise the stored order stands: it may be on purpose.)
  if (first !== undefined && !now.has(first) && !renamedTo.has(first)) {
    const next = envs.findIndex((e) => e.name === defaults.find((d) => envs.some((x) => x.name === d)));
    if (next > 0) envs.unshift(...envs.splice(next, 1));
  }
  return {
    envs,
    added: fresh.filter((e) => !renamedNew.has(e)).map((e) => e.name),
    removed: gone.filter((e) => !renamedTo.has(e.name)).map((e) => e.name),
    renamed: [...renamedTo].map(([from, to]) => ({ from, to: to.name })),
    changed,
    defaultEnv: envs.length && first !== undefined && envs[0].name !== first ? { from: first, to: envs[0].name } : null,
  };
}

/** Human-readable lines for the summary; empty when nothing changed. */
export function describeEnvChanges(c: EnvChanges): string[] {
  return [
    ...c.added.map((n) => `env added: ${n}`),
    ...c.removed.map((n) => `env removed: ${n}`),
    ...c.renamed.map((r) => `env renamed: ${r.from} -> ${r.to} (same board and platform)`),
    ...c.changed.map((ch) => `env ${ch.name}: ${ch.field} ${ch.from ?? '(none)'} -> ${ch.to ?? '(none)'}`),
    ...(c.defaultEnv ? [`default env (TARGET_BOARD): ${c.defaultEnv.from} -> ${c.defaultEnv.to}`] : []),
  ];
}
