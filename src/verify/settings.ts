// The mirror settings verify builds with, from the same places the generated scripts read them
// (scripts/build-docker.sh, local-ci.sh, compose): a flag wins, then verify's environment, then
// `.env` at the repository root (read as KEY=VALUE lines, never run; empty counts as unset, as in
// compose). Each value's source is reported, its secrets (URL user-info) hidden.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { redactSetting } from '../core/safety/redact.js';
import { readInputFile } from './input.js';

/** The mirror setting every preset's Dockerfile takes; a preset adds its own (Preset.buildSettings). */
const COMMON_SETTINGS = ['BASE_IMAGE'] as const;

/** pip's settings also go to verify's check containers (python-wheels), declared as ARG or not. */
const ALWAYS = new Set(['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST']);

export type SettingSource = '--build-arg' | '--network' | 'environment' | '.env';

export interface ResolvedSettings {
  buildArgs: Record<string, string>;
  network: 'host' | 'default';
  /** `NAME=value (source)` per setting taken, values redacted; empty when nothing was set. */
  described: string[];
  /** Values a redactor must hide wherever they appear (the secrets among the settings). */
  secrets: string[];
}

/** The last `KEY=VALUE` line per key of a .env text (`export ` allowed, one pair of quotes removed, ` #` comments cut). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = raw.replace(/\r$/, '').match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!m) continue;
    let value = m[2];
    const quoted = value.match(/^"(.*)"\s*$/) ?? value.match(/^'(.*)'\s*$/);
    if (quoted) value = quoted[1];
    else value = value.replace(/\s#.*$/, '').trimEnd();
    out[m[1]] = value;
  }
  return out;
}

/** Whether the Dockerfile declares `ARG name` (global or in a stage). */
function declares(dockerfile: string, name: string): boolean {
  return new RegExp(`^\\s*ARG\\s+${name}(=|\\s*$)`, 'm').test(dockerfile);
}

/** The part of a value the redactor hides (what a secret search must find in any output). */
function secretsOf(name: string, value: string): string[] {
  const shown = redactSetting(name, value);
  if (shown === value) return [];
  const userinfo = value.match(/\/\/([^\s/@]+)@/);
  if (userinfo) return [userinfo[1], ...userinfo[1].split(':').filter((s) => s.length >= 4)];
  return [value];
}

export function resolveSettings(
  dir: string,
  dockerfile: string,
  flags: { buildArgs: Record<string, string>; network?: 'host' | 'default' },
  /** The preset's own mirror and proxy settings (PIP_INDEX_URL, GOPROXY, ...), taken when the Dockerfile declares them. */
  presetSettings: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSettings {
  const envPath = join(dir, '.env');
  const dotenv = existsSync(envPath) ? parseDotenv(readInputFile(envPath, '.env')) : {};
  const pick = (key: string): { value: string; source: SettingSource } | undefined => {
    if (env[key]) return { value: env[key]!, source: 'environment' };
    if (dotenv[key]) return { value: dotenv[key], source: '.env' };
    return undefined;
  };

  const buildArgs: Record<string, string> = {};
  const described: string[] = [];
  const secrets: string[] = [];
  const take = (key: string, value: string, source: SettingSource) => {
    described.push(`${key}=${redactSetting(key, value)} (${source})`);
    secrets.push(...secretsOf(key, value));
  };
  for (const [k, v] of Object.entries(flags.buildArgs)) {
    buildArgs[k] = v;
    take(k, v, '--build-arg');
  }
  for (const key of [...COMMON_SETTINGS, ...presetSettings]) {
    if (key in flags.buildArgs || !(declares(dockerfile, key) || ALWAYS.has(key))) continue;
    const got = pick(key);
    if (!got) continue;
    // Not a build argument (pip's settings for python-wheels' check containers): a preset reads the
    // environment itself and names it; only .env's value has to be handed over.
    if (declares(dockerfile, key) || got.source === '.env') buildArgs[key] = got.value;
    take(key, got.value, got.source);
  }

  let network = flags.network;
  if (network) described.push(`BUILD_NETWORK=${network} (--network)`);
  else {
    const got = pick('BUILD_NETWORK');
    if (got && got.value !== 'host' && got.value !== 'default') {
      described.push(`BUILD_NETWORK=${got.value} (${got.source}; verify takes host or default: using default)`);
    } else if (got) described.push(`BUILD_NETWORK=${got.value} (${got.source})`);
    network = got?.value === 'host' ? 'host' : 'default';
  }
  return { buildArgs, network, described, secrets };
}
