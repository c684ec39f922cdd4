// The answers model: everything a renderer may depend on, validated once.
// Renderers take a validated `Answers` and nothing else, so rendering is pure and needs no Docker.
import { VERSIONS } from './versions.js';

export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const RUNNER_KINDS = ['github', 'none'] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];

export const CI_KINDS = ['github', 'none'] as const;
export type CiKind = (typeof CI_KINDS)[number];

/** Optional tools, all installed from the Debian apt mirror (no download at build time). */
export const OPTIONAL_TOOLS = {
  cppcheck: { apt: ['cppcheck'], description: 'static analysis (pio check)' },
  'clang-format': { apt: ['clang-format'], description: 'code formatting' },
  'clang-tidy': { apt: ['clang-tidy'], description: 'clang-tidy for pio check' },
} as const;
export type ToolId = keyof typeof OPTIONAL_TOOLS;
export const TOOL_IDS = Object.keys(OPTIONAL_TOOLS) as ToolId[];

export interface EnvAnswer {
  /** PlatformIO env name, e.g. `esp32dev` (may contain spaces in real projects). */
  name: string;
  /** Board id, or null when the env has none. */
  board: string | null;
  /** Platform, or null when unknown. */
  platform: string | null;
}

export interface Answers {
  /** Build toolchain preset; only PlatformIO today, kept separate so others can be added. */
  toolchain: 'platformio';
  /** Short project slug, used for compose volume names and default image name. */
  projectName: string;
  /** Envs to support, `default_envs` first. Never empty. */
  envs: EnvAnswer[];
  baseImage: string;
  platformioVersion: string;
  user: { name: string; uid: number; gid: number };
  tools: ToolId[];
  runners: { kind: RunnerKind; dev: number; prod: number; labels: string[] };
  image: { name: string; registry: string };
  platforms: Platform[];
  ci: CiKind;
}

export class AnswersError extends Error {
  constructor(
    message: string,
    readonly flag?: string,
  ) {
    super(message);
    this.name = 'AnswersError';
  }
}

const SLUG = /^[a-z0-9][a-z0-9_.-]*$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
// Docker image name component(s): lowercase, separators . _ - and / between path components.
const IMAGE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const REGISTRY = /^[a-zA-Z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9._-]+)*$/;
// Env names end up in compose service names, profiles and shell words: reject what would break them.
const ENV_NAME = /^[A-Za-z0-9_.-][A-Za-z0-9 _.-]*$/;
// Service and profile names of the build compose file itself, so no env slug may take them.
export const RESERVED_SLUGS = ['all', 'clean', 'shell'];
// What `docker compose` v2 accepts as a profile name (v1 checks nothing); env slugs become profiles.
const PROFILE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const IMAGE_REF = /^[a-zA-Z0-9][a-zA-Z0-9._\/:@-]*$/;

/** Compose service/profile-safe form of an env name (`my env` -> `my-env`). */
export function envSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Throws AnswersError naming the offending flag; returns the same object typed as valid. */
export function validateAnswers(a: Answers): Answers {
  const fail = (flag: string, msg: string): never => {
    throw new AnswersError(`${msg} (--${flag})`, flag);
  };
  if (a.toolchain !== 'platformio') fail('toolchain', `unknown toolchain "${a.toolchain}"`);
  if (!SLUG.test(a.projectName)) fail('project-name', `invalid project name "${a.projectName}": use lowercase letters, digits, . _ -`);
  if (a.envs.length === 0) fail('envs', 'at least one env is needed');
  const slugs = new Map<string, string>();
  for (const env of a.envs) {
    if (!ENV_NAME.test(env.name)) fail('envs', `env name "${env.name}" has characters a build service cannot use`);
    const slug = envSlug(env.name);
    if (RESERVED_SLUGS.includes(slug)) fail('envs', `env "${env.name}" would take the compose service "${slug}", which is reserved (${RESERVED_SLUGS.join(', ')})`);
    if (!PROFILE_NAME.test(slug)) fail('envs', `env "${env.name}" gives "${slug}", which is not a valid compose profile name (two or more of letters, digits, _ . -, not starting with _ . -)`);
    const clash = slugs.get(slug);
    if (clash !== undefined) fail('envs', `envs "${clash}" and "${env.name}" map to the same service name "${slug}"`);
    slugs.set(slug, env.name);
  }
  if (!IMAGE_REF.test(a.baseImage)) fail('base-image', `invalid base image "${a.baseImage}"`);
  if (!/^[0-9][0-9A-Za-z.+!-]*$/.test(a.platformioVersion)) fail('platformio-version', `invalid PlatformIO version "${a.platformioVersion}"`);
  if (!USER_NAME.test(a.user.name) || a.user.name === 'root') fail('user', `invalid user name "${a.user.name}" (non-root Linux user name)`);
  for (const [flag, id] of [['uid', a.user.uid], ['gid', a.user.gid]] as const) {
    if (!Number.isInteger(id) || id < 1 || id > 2147483647) fail(flag, `${flag.toUpperCase()} must be a whole number from 1 (root is not allowed)`);
  }
  for (const t of a.tools) if (!(t in OPTIONAL_TOOLS)) fail('tools', `unknown tool "${t}" (known: ${TOOL_IDS.join(', ')})`);
  if (!RUNNER_KINDS.includes(a.runners.kind)) fail('runners', `unknown runner kind "${a.runners.kind}" (github or none)`);
  if (a.runners.kind !== 'none') {
    for (const [flag, n] of [['dev-runners', a.runners.dev], ['prod-runners', a.runners.prod]] as const) {
      if (!Number.isInteger(n) || n < 0 || n > 32) fail(flag, `${flag} must be a whole number from 0 to 32`);
    }
    if (a.runners.dev + a.runners.prod === 0) fail('runners', 'runners chosen but none counted: use --runners none');
  }
  for (const l of a.runners.labels) if (!/^[A-Za-z0-9_.-]+$/.test(l)) fail('runner-labels', `invalid runner label "${l}"`);
  if (!IMAGE_NAME.test(a.image.name)) fail('image', `invalid image name "${a.image.name}" (lowercase, e.g. acme/firmware-build)`);
  if (a.image.registry !== '' && !REGISTRY.test(a.image.registry)) fail('registry', `invalid registry "${a.image.registry}" (e.g. ghcr.io/acme)`);
  if (a.platforms.length === 0) fail('platforms', 'at least one platform is needed');
  for (const p of a.platforms) if (!PLATFORMS.includes(p)) fail('platforms', `unknown platform "${p}" (${PLATFORMS.join(', ')})`);
  if (!CI_KINDS.includes(a.ci)) fail('ci', `unknown CI "${a.ci}" (github or none)`);
  return a;
}

/** Defaults for everything not read from the project. */
export function defaultAnswers(projectName: string, envs: EnvAnswer[]): Answers {
  const slug = envSlug(projectName) || 'firmware';
  return {
    toolchain: 'platformio',
    projectName: slug,
    envs,
    baseImage: VERSIONS.baseImage,
    platformioVersion: VERSIONS.platformio,
    user: { name: 'builder', uid: 1000, gid: 1000 },
    tools: [],
    runners: { kind: 'github', dev: 1, prod: 2, labels: [] },
    image: { name: `${slug}-pio`, registry: '' },
    platforms: ['linux/amd64'],
    ci: 'github',
  };
}

/** Full image reference without tag, registry prefixed when set. */
export function imageRepo(a: Answers): string {
  return a.image.registry ? `${a.image.registry}/${a.image.name}` : a.image.name;
}
