// What compose may echo that must never reach the terminal or docs/MIGRATION.md: the values of
// every env_file a set's services read (wherever the file lies, inside the repository or not), of
// `environment:` entries, of the folder's `.env` and of documented --env-file files. Compose v2's
// error text quotes them (`line 2: unterminated quoted value "…`), and its config output (which the
// check compares and may name in a difference) inlines them; src/core/safety/redact.ts hides them.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { envFileValues, redact } from '../core/safety/redact.js';
import { readInputFile } from '../core/safety/read.js';
import type { Group } from './detect.js';
import { isObj, type Json, type Obj } from './load.js';
import { filesRead } from './plan.js';

/** Env files are read up to this size for their values (compose reads bigger ones; none are that big). */
const MAX_ENV_BYTES = 1024 * 1024;

/** Every value (and every line without `=`: the rest of a multi-line value) of an env file's text. */
function envTextSecrets(text: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.includes('='));
  return [...envFileValues(text), ...lines.map((l) => l.replace(/^["']|["']$/g, ''))];
}

function envFileSecrets(path: string): string[] {
  try {
    return envTextSecrets(readInputFile(path, path, MAX_ENV_BYTES));
  } catch {
    return []; // missing, too big, not a file: compose cannot echo what it cannot read either
  }
}

/** `env_file:` entries of a service: a path, a list of paths, or `{path, required}` items. */
function envFilePaths(v: Json | undefined): string[] {
  const items = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
  return items.map((e) => (isObj(e) ? e.path : e)).filter((p): p is string => typeof p === 'string');
}

/** Values of `environment:` (a mapping, or `K=V` items). */
function environmentValues(v: Json | undefined): string[] {
  if (isObj(v)) return Object.values(v).filter((x) => x !== null && typeof x !== 'object').map(String);
  if (Array.isArray(v)) return v.map(String).filter((x) => x.includes('=')).map((x) => x.slice(x.indexOf('=') + 1));
  return [];
}

/** The secret values of one set (its files, what they include, their env files, `.env`, --env-file files). */
export function groupSecrets(group: Group): string[] {
  const out = new Set<string>();
  const add = (xs: string[]) => xs.forEach((x) => out.add(x));
  for (const f of filesRead(group.files)) {
    for (const s of Object.values(isObj(f.data.services) ? (f.data.services as Obj) : {})) {
      if (!isObj(s)) continue;
      add(environmentValues(s.environment));
      for (const p of envFilePaths(s.env_file)) {
        // compose v2 resolves them against the project folder; an included file's against its own
        const tries = isAbsolute(p) ? [p] : [...new Set([resolve(group.folder, p), resolve(dirname(f.path), p)])];
        for (const t of tries) add(envFileSecrets(t));
      }
    }
  }
  add(envFileSecrets(join(group.folder, '.env')));
  for (const c of group.commands) for (const e of c.envFiles) add(envFileSecrets(e));
  return [...out];
}

/** `text` with the set's secrets, URL user-info and credential-named values hidden. */
export const redactFor = (secrets: string[]) => (text: string) => redact(text, secrets);
