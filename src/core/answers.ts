// The answers model: everything a renderer may depend on, validated once.
// Renderers take a validated `Answers` and nothing else, so rendering is pure and needs no Docker.
import { PRESET_IDS, REGISTRY as PRESET_REGISTRY, type PresetEntry, type PresetId } from '../presets/registry.js';
import { VERSIONS } from './versions.js';
import { CpdError, EXIT } from './errors.js';

export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const RUNNER_KINDS = ['github', 'none'] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];

export const CI_KINDS = ['github', 'none'] as const;
export type CiKind = (typeof CI_KINDS)[number];

/** Serial/USB access for the shell service and the dev container: none, host /dev with cgroup rules, or one device. */
export const SERIAL_MODES = ['none', 'dev', 'devices'] as const;
export type SerialMode = (typeof SERIAL_MODES)[number];

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
  /** The preset (--preset; src/presets/registry.ts). Answers stored before presets: platformio. */
  toolchain: PresetId;
  /**
   * What only the preset reads and asks (absent for PlatformIO, whose answers are the fields here);
   * its own module checks the shape (src/presets/<id>/).
   */
  presetAnswers?: Record<string, unknown>;
  /** Short project slug, used for compose volume names and default image name. */
  projectName: string;
  /**
   * The PlatformIO project folder relative to the repository root (`.`: the root). The generated
   * files live at the root; builds run in this folder.
   */
  projectDir: string;
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
  /** Write .devcontainer/devcontainer.json (the compose shell service, for VS Code and the devcontainer CLI). */
  devcontainer: boolean;
  /** How boards reach the shell service and the dev container (flash, monitor). */
  serial: SerialMode;
  /** Also write actions-runner-controller (Kubernetes) runner scale set values for the runners. */
  arc: boolean;
}

export class AnswersError extends CpdError {
  readonly exitCode = EXIT.input;
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

const uidCheck = (flag: 'uid' | 'gid') => (id: number) => (!Number.isInteger(id) || id < 1 || id > 2147483647 ? `${flag.toUpperCase()} must be a whole number from 1 (root is not allowed)` : null);
const runnerCount = (flag: string) => (n: number) => (!Number.isInteger(n) || n < 0 || n > 32 ? `${flag} must be a whole number from 0 to 32` : null);

/** Problems with one list of envs, or null. */
export function checkEnvs(envs: EnvAnswer[]): string | null {
  if (envs.length === 0) return 'at least one env is needed';
  const slugs = new Map<string, string>();
  for (const env of envs) {
    if (!ENV_NAME.test(env.name)) return `env name "${env.name}" has characters a build service cannot use`;
    const slug = envSlug(env.name);
    if (RESERVED_SLUGS.includes(slug)) return `env "${env.name}" would take the compose service "${slug}", which is reserved (${RESERVED_SLUGS.join(', ')})`;
    if (!PROFILE_NAME.test(slug)) return `env "${env.name}" gives "${slug}", which is not a valid compose profile name (two or more of letters, digits, _ . -, not starting with _ . -)`;
    const clash = slugs.get(slug);
    if (clash !== undefined) return `envs "${clash}" and "${env.name}" map to the same service name "${slug}"`;
    // Board and platform end up in generated files: a line break or a control character there would
    // let platformio.ini inject lines (or terminal escapes) into them.
    for (const field of ['board', 'platform'] as const) {
      const v = env[field];
      if (v !== null && (/[\u0000-\u001f\u007f-\u009f]/.test(v) || v.length > 200)) return `env "${env.name}": ${field} ${JSON.stringify(v.slice(0, 60))} has line breaks or control characters (or is too long); fix it in platformio.ini`;
    }
    slugs.set(slug, env.name);
  }
  return null;
}

type RowCheck = (v: any) => string | null;
const PRESET_CHECKS: Record<string, RowCheck> = Object.fromEntries((PRESET_REGISTRY as readonly PresetEntry[]).flatMap((e) => e.rows.filter((r) => r.check).map((r) => [r.name, r.check as RowCheck])));

/**
 * One check per answer, by its flag: the same rule for a flag, a stored answer and a prompt (where a
 * bad answer is asked again). Each returns the problem, or null.
 */
const COMMON_CHECKS = {
  envs: checkEnvs,
  'base-image': (v: string) => (IMAGE_REF.test(v) ? null : `invalid base image "${v}"`),
  'platformio-version': (v: string) => (/^[0-9][0-9A-Za-z.+!-]*$/.test(v) ? null : `invalid PlatformIO version "${v}"`),
  user: (v: string) => (USER_NAME.test(v) && v !== 'root' ? null : `invalid user name "${v}" (non-root Linux user name)`),
  uid: uidCheck('uid'),
  gid: uidCheck('gid'),
  tools: (v: string[]) => v.map((t) => (t in OPTIONAL_TOOLS ? null : `unknown tool "${t}" (known: ${TOOL_IDS.join(', ')})`)).find((m) => m) ?? null,
  runners: (v: string) => ((RUNNER_KINDS as readonly string[]).includes(v) ? null : `unknown runner kind "${v}" (github or none)`),
  'dev-runners': runnerCount('dev-runners'),
  'prod-runners': runnerCount('prod-runners'),
  // dev/prod name the runner group: as an extra label, a prod runner would also take dev (pull request) jobs.
  'runner-labels': (v: string[]) => v.map((l) => (!/^[A-Za-z0-9_.-]+$/.test(l) ? `invalid runner label "${l}"` : ['dev', 'prod'].includes(l.toLowerCase()) ? `runner label "${l}" is reserved: it names the runner group` : null)).find((m) => m) ?? null,
  image: (v: string) => (IMAGE_NAME.test(v) ? null : `invalid image name "${v}" (lowercase, e.g. acme/firmware-build)`),
  registry: (v: string) => (v === '' || REGISTRY.test(v) ? null : `invalid registry "${v}" (e.g. ghcr.io/acme)`),
  platforms: (v: string[]) => (v.length === 0 ? 'at least one platform is needed' : v.map((p) => ((PLATFORMS as readonly string[]).includes(p) ? null : `unknown platform "${p}" (${PLATFORMS.join(', ')})`)).find((m) => m) ?? null),
  ci: (v: string) => ((CI_KINDS as readonly string[]).includes(v) ? null : `unknown CI "${v}" (github or none)`),
  devcontainer: (v: boolean) => (typeof v === 'boolean' ? null : 'devcontainer must be yes or no'),
  arc: (v: boolean) => (typeof v === 'boolean' ? null : 'arc must be yes or no'),
  serial: (v: string) => ((SERIAL_MODES as readonly string[]).includes(v) ? null : `unknown serial mode "${v}" (${SERIAL_MODES.join(', ')})`),
  preset: (v: string) => ((PRESET_IDS as readonly string[]).includes(v) ? null : `unknown preset "${v}" (${PRESET_IDS.join(', ')})`),
  'project-name': (v: string) => (SLUG.test(v) ? null : `invalid project name "${v}": use lowercase letters, digits, . _ -`),
  'project-dir': (v: string) => (v === '.' || (/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/.test(v) && !v.split('/').includes('..')) ? null : `invalid project folder "${v}": a plain relative path inside the repository, letters, digits, _ . -`),
} as const;

/** The common checks and each preset's own (the checks of its rows, src/presets/<id>/flags.ts). */
export const CHECKS: typeof COMMON_CHECKS & Readonly<Record<string, RowCheck>> = { ...COMMON_CHECKS, ...PRESET_CHECKS };

/** Throws AnswersError naming the offending flag; returns the same object typed as valid. */
export function validateAnswers(a: Answers): Answers {
  const check = <F extends keyof typeof COMMON_CHECKS>(flag: F, value: Parameters<(typeof COMMON_CHECKS)[F]>[0]) => {
    const problem = (COMMON_CHECKS[flag] as (v: unknown) => string | null)(value);
    if (problem) throw new AnswersError(`${problem} (--${flag})`, flag);
  };
  if (!(PRESET_IDS as readonly string[]).includes(a.toolchain)) throw new AnswersError(`unknown preset "${a.toolchain}" (--preset)`, 'preset');
  // envs and the PlatformIO version are PlatformIO's answers; other presets check their own.
  const pio = a.toolchain === 'platformio';
  check('project-name', a.projectName);
  check('project-dir', a.projectDir);
  if (pio) check('envs', a.envs);
  check('base-image', a.baseImage);
  if (pio) check('platformio-version', a.platformioVersion);
  check('user', a.user.name);
  check('uid', a.user.uid);
  check('gid', a.user.gid);
  check('tools', a.tools);
  check('runners', a.runners.kind);
  if (a.runners.kind !== 'none') {
    check('dev-runners', a.runners.dev);
    check('prod-runners', a.runners.prod);
    if (a.runners.dev + a.runners.prod === 0) throw new AnswersError('runners chosen but none counted: use --runners none (--runners)', 'runners');
  }
  check('runner-labels', a.runners.labels);
  check('image', a.image.name);
  check('registry', a.image.registry);
  // These hosts take no image without an owner (ghcr.io/OWNER/NAME): every push would fail.
  if (/^(ghcr\.io|docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(a.image.registry) && !a.image.name.includes('/')) {
    throw new AnswersError(`${a.image.registry} needs an owner: --registry ${a.image.registry}/OWNER, or --image OWNER/${a.image.name}`, 'registry');
  }
  check('platforms', a.platforms);
  check('ci', a.ci);
  check('devcontainer', a.devcontainer);
  check('serial', a.serial);
  check('arc', a.arc);
  if (a.arc && a.runners.kind === 'none') throw new AnswersError('--arc yes writes runner scale sets for the self-hosted runners: add --runners github', 'arc');
  return a;
}

/** Defaults for everything not read from the project. */
/** Runner counts offered when runners are turned on (the default answers have none). */
export const DEFAULT_RUNNER_COUNTS = { dev: 1, prod: 2 } as const;

export function defaultAnswers(projectName: string, envs: EnvAnswer[]): Answers {
  const slug = envSlug(projectName) || 'firmware';
  return {
    toolchain: 'platformio',
    projectName: slug,
    projectDir: '.',
    envs,
    baseImage: VERSIONS.baseImage,
    platformioVersion: VERSIONS.platformio,
    user: { name: 'builder', uid: 1000, gid: 1000 },
    tools: [],
    // Off by default: a new project's CI runs on GitHub-hosted runners at once; self-hosted ones
    // are opt-in (they need a host, credentials, and care with public repos).
    runners: { kind: 'none', dev: 0, prod: 0, labels: [] },
    image: { name: `${slug}-pio`, registry: '' },
    platforms: ['linux/amd64'],
    ci: 'github',
    devcontainer: true,
    serial: 'none',
    arc: false,
  };
}

/** Full image reference without tag, registry prefixed when set. */
export function imageRepo(a: Answers): string {
  return a.image.registry ? `${a.image.registry}/${a.image.name}` : a.image.name;
}
