// Every scaffold answer is also a flag. This table drives argument parsing, `--help` and the
// "missing answer" errors, so the three cannot drift apart.
import { CI_KINDS, PLATFORMS, RUNNER_KINDS, TOOL_IDS, type Answers, type EnvAnswer } from '../answers.js';

export interface FlagSpec {
  name: string;
  short?: string;
  /** Placeholder shown in help; absent for boolean flags. */
  value?: string;
  help: string;
}

/** Answers given on the command line (anything may be missing). */
export interface FlagAnswers {
  envs?: EnvAnswer[];
  projectName?: string;
  baseImage?: string;
  platformioVersion?: string;
  userName?: string;
  uid?: number;
  gid?: number;
  tools?: Answers['tools'];
  runners?: Answers['runners']['kind'];
  devRunners?: number;
  prodRunners?: number;
  runnerLabels?: string[];
  image?: string;
  registry?: string;
  platforms?: Answers['platforms'];
  ci?: Answers['ci'];
}

export const ANSWER_FLAGS: FlagSpec[] = [
  { name: 'envs', value: 'NAME[:BOARD],...', help: 'envs to support (default: all in platformio.ini, default_envs first)' },
  { name: 'base-image', value: 'IMAGE', help: 'base image with Python 3 (default: a pinned python:*-slim tag)' },
  { name: 'platformio-version', value: 'VERSION', help: 'PlatformIO version to pin' },
  { name: 'user', value: 'NAME', help: 'non-root user in the images (default: builder)' },
  { name: 'uid', value: 'N', help: 'default UID of that user (default: 1000; remapped to the host at run time)' },
  { name: 'gid', value: 'N', help: 'default GID of that user (default: 1000)' },
  { name: 'tools', value: 'LIST', help: `optional tools from apt: ${TOOL_IDS.join(', ')}, or none` },
  { name: 'runners', value: 'KIND', help: `self-hosted CI runners: ${RUNNER_KINDS.join(' or ')} (default: github)` },
  { name: 'dev-runners', value: 'N', help: 'runners in the dev profile (default: 1)' },
  { name: 'prod-runners', value: 'N', help: 'runners in the prod profile (default: 2)' },
  { name: 'runner-labels', value: 'LIST', help: 'extra labels for the runners' },
  { name: 'image', value: 'NAME', help: 'image name (default: PROJECT-pio)' },
  { name: 'registry', value: 'HOST[/NS]', help: 'registry to push to, or none (default: none)' },
  { name: 'platforms', value: 'LIST', help: `target platforms: ${PLATFORMS.join(', ')} (default: linux/amd64)` },
  { name: 'ci', value: 'KIND', help: `CI workflow: ${CI_KINDS.join(' or ')} (default: github)` },
  { name: 'project-name', value: 'NAME', help: 'project slug for volume and image names (default: folder name)' },
];

export const SCAFFOLD_SWITCHES: FlagSpec[] = [
  { name: 'yes', short: 'y', help: 'take the default for every answer not given' },
  { name: 'force', help: 'overwrite existing files that differ' },
];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

function int(flag: string, s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new UsageError(`--${flag} takes a whole number, not "${s}"`);
  return Number(s);
}

function oneOf<T extends string>(flag: string, s: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`--${flag} takes ${allowed.join(' or ')}, not "${s}"`);
  return s as T;
}

/** `esp32dev:esp32dev,uno` -> envs; the board after the colon is optional. */
export function parseEnvsFlag(s: string): EnvAnswer[] {
  const envs = list(s).map((item) => {
    const i = item.lastIndexOf(':');
    const name = (i > 0 ? item.slice(0, i) : item).trim();
    const board = i > 0 ? item.slice(i + 1).trim() || null : null;
    return { name, board, platform: null };
  });
  if (envs.length === 0) throw new UsageError('--envs needs at least one NAME');
  return envs;
}

/** Turns raw string flag values into typed answers; unknown or malformed values are UsageErrors. */
export function flagAnswers(raw: Record<string, string | undefined>): FlagAnswers {
  const out: FlagAnswers = {};
  const v = (name: string) => raw[name];
  if (v('envs') !== undefined) out.envs = parseEnvsFlag(v('envs')!);
  if (v('project-name') !== undefined) out.projectName = v('project-name');
  if (v('base-image') !== undefined) out.baseImage = v('base-image');
  if (v('platformio-version') !== undefined) out.platformioVersion = v('platformio-version');
  if (v('user') !== undefined) out.userName = v('user');
  if (v('uid') !== undefined) out.uid = int('uid', v('uid')!);
  if (v('gid') !== undefined) out.gid = int('gid', v('gid')!);
  if (v('tools') !== undefined) {
    const tools = v('tools') === 'none' ? [] : list(v('tools')!);
    out.tools = tools.map((t) => oneOf('tools', t, TOOL_IDS));
  }
  if (v('runners') !== undefined) out.runners = oneOf('runners', v('runners')!, RUNNER_KINDS);
  if (v('dev-runners') !== undefined) out.devRunners = int('dev-runners', v('dev-runners')!);
  if (v('prod-runners') !== undefined) out.prodRunners = int('prod-runners', v('prod-runners')!);
  if (v('runner-labels') !== undefined) out.runnerLabels = list(v('runner-labels')!);
  if (v('image') !== undefined) out.image = v('image');
  if (v('registry') !== undefined) out.registry = v('registry') === 'none' ? '' : v('registry');
  if (v('platforms') !== undefined) out.platforms = list(v('platforms')!).map((p) => oneOf('platforms', p, PLATFORMS));
  if (v('ci') !== undefined) out.ci = oneOf('ci', v('ci')!, CI_KINDS);
  return out;
}
