// The answers model: everything a renderer may depend on, validated once.
// Renderers take a validated `Answers` and nothing else, so rendering is pure and needs no Docker.
import { PRESET_IDS, REGISTRY as PRESET_REGISTRY, type PresetEntry, type PresetId } from '../presets/registry.js';
import { quoted } from './safety/text.js';
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

// One Docker image name component (the project name starts the default image name and every volume
// name): lowercase letters and digits, separated by one `.`, one or two `_`, or dashes.
const SLUG = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
// Docker image name component(s): lowercase, separators . _ - and / between path components.
const IMAGE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/**
 * Length limits of the free-text answers: what Docker, Debian and the generated files take, with
 * room for the suffixes the tool adds (`-platformio-ci-prod`, `:builder`). Docker's own limit for a
 * whole image name, registry included, is 255.
 */
export const MAX_LENGTH = { projectName: 40, image: 200, registry: 200, imageRef: 255, baseImage: 400, version: 64, envName: 100, label: 64, projectDir: 200 } as const;
const REGISTRY = /^[a-zA-Z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9._-]+)*$/;
// Env names end up in compose service names, profiles and shell words: reject what would break them.
const ENV_NAME = /^[A-Za-z0-9_.-][A-Za-z0-9 _.-]*$/;
// Service and profile names of the build compose file itself, so no env slug may take them.
export const RESERVED_SLUGS = ['all', 'clean', 'shell'];
// What `docker compose` v2 accepts as a profile name (v1 checks nothing); env slugs become profiles.
const PROFILE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const IMAGE_REF = /^[a-zA-Z0-9][a-zA-Z0-9._\/:@-]*$/;

/**
 * The default project name from a folder name: a valid image name component (`My Project.` ->
 * `my-project`), at most MAX_LENGTH.projectName characters; '' when nothing is left.
 */
export function projectSlug(name: string): string {
  const trim = (s: string) => s.replace(/^[._-]+/, '').replace(/[._-]+$/, '');
  const s = trim(
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      // Docker takes one `.`, one or two `_`, or any number of `-` between two alphanumerics.
      .replace(/[._-]{2,}/g, (run) => (/^(?:__|-+)$/.test(run) ? run : '-')),
  );
  return trim(s.slice(0, MAX_LENGTH.projectName));
}

/** Compose service/profile-safe form of an env name (`my env` -> `my-env`). */
export function envSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const uidCheck = (flag: 'uid' | 'gid') => (id: number) => (!Number.isInteger(id) || id < 1 || id > 2147483647 ? `${flag.toUpperCase()} must be a whole number from 1 to 2147483647 (0 is root, which is not allowed), e.g. 1000` : null);
const runnerCount = (flag: string) => (n: number) => (!Number.isInteger(n) || n < 0 || n > 32 ? `${flag} must be a whole number from 0 to 32, e.g. 1` : null);
/** The problem with a free-text value that is too long, or null. */
const tooLong = (what: string, v: string, max: number) => (v.length > max ? `${what} ${quoted(v)} is longer than ${max} characters` : null);

/** Problems with one list of envs, or null. */
export function checkEnvs(envs: EnvAnswer[]): string | null {
  if (envs.length === 0) return 'at least one env is needed';
  const slugs = new Map<string, string>();
  for (const env of envs) {
    if (env.name.length > MAX_LENGTH.envName) return tooLong('env name', env.name, MAX_LENGTH.envName);
    if (!ENV_NAME.test(env.name)) return `env name ${quoted(env.name)} has characters a build service cannot use (letters, digits, spaces and _ . - are fine)`;
    const slug = envSlug(env.name);
    if (RESERVED_SLUGS.includes(slug)) return `env ${quoted(env.name)} would take the compose service "${slug}", which is reserved (${RESERVED_SLUGS.join(', ')})`;
    if (!PROFILE_NAME.test(slug)) return `env ${quoted(env.name)} gives ${quoted(slug)}, which is not a valid compose profile name (two or more of letters, digits, _ . -, not starting with _ . -)`;
    const clash = slugs.get(slug);
    if (clash !== undefined) return `envs ${quoted(clash)} and ${quoted(env.name)} map to the same service name ${quoted(slug)}`;
    // Board and platform end up in generated files: a line break or a control character there would
    // let platformio.ini inject lines (or terminal escapes) into them.
    for (const field of ['board', 'platform'] as const) {
      const v = env[field];
      if (v !== null && (/[\u0000-\u001f\u007f-\u009f]/.test(v) || v.length > 200)) return `env ${quoted(env.name)}: ${field} ${JSON.stringify(v.slice(0, 60))} has line breaks or control characters (or is too long); fix it in platformio.ini`;
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
  'base-image': (v: string) => tooLong('base image', v, MAX_LENGTH.baseImage) ?? (IMAGE_REF.test(v) ? null : `invalid base image ${quoted(v)}: use an image reference such as python:3.12-slim-bookworm or registry.example.com/mirror/python:3.12-slim-bookworm`),
  'platformio-version': (v: string) => tooLong('PlatformIO version', v, MAX_LENGTH.version) ?? (/^[0-9][0-9A-Za-z.+!-]*$/.test(v) ? null : `invalid PlatformIO version ${quoted(v)}: use a release number such as ${VERSIONS.platformio} (the version is pinned, so "latest" is not one)`),
  user: (v: string) => (USER_NAME.test(v) && v !== 'root' ? null : `invalid user name ${quoted(v)}: use a non-root Linux user name (lowercase letters, digits, _ and -, up to 32, not starting with a digit), e.g. builder`),
  uid: uidCheck('uid'),
  gid: uidCheck('gid'),
  tools: (v: string[]) => v.map((t) => (t in OPTIONAL_TOOLS ? null : `unknown tool ${quoted(t)} (known: ${TOOL_IDS.join(', ')})`)).find((m) => m) ?? null,
  runners: (v: string) => ((RUNNER_KINDS as readonly string[]).includes(v) ? null : `unknown runner kind ${quoted(v)} (github or none)`),
  'dev-runners': runnerCount('dev-runners'),
  'prod-runners': runnerCount('prod-runners'),
  // dev/prod name the runner group: as an extra label, a prod runner would also take dev (pull request) jobs.
  'runner-labels': (v: string[]) =>
    (v.length > 20 ? `${v.length} runner labels; at most 20` : null) ??
    v.map((l) => tooLong('runner label', l, MAX_LENGTH.label) ?? (!/^[A-Za-z0-9_.-]+$/.test(l) ? `invalid runner label ${quoted(l)} (letters, digits, _ . -, e.g. hil)` : ['dev', 'prod'].includes(l.toLowerCase()) ? `runner label "${l}" is reserved: it names the runner group` : null)).find((m) => m) ??
    null,
  image: (v: string) => tooLong('image name', v, MAX_LENGTH.image) ?? (IMAGE_NAME.test(v) ? null : `invalid image name ${quoted(v)}: lowercase letters and digits with . _ - between them and / between parts, e.g. acme/firmware-build`),
  registry: (v: string) => tooLong('registry', v, MAX_LENGTH.registry) ?? (v === '' || REGISTRY.test(v) ? null : `invalid registry ${quoted(v)}: a host with an optional port and namespace, e.g. ghcr.io/acme (or none)`),
  platforms: (v: string[]) => (v.length === 0 ? 'at least one platform is needed' : v.map((p) => ((PLATFORMS as readonly string[]).includes(p) ? null : `unknown platform ${quoted(p)} (${PLATFORMS.join(', ')})`)).find((m) => m) ?? null),
  ci: (v: string) => ((CI_KINDS as readonly string[]).includes(v) ? null : `unknown CI ${quoted(v)} (github or none)`),
  devcontainer: (v: boolean) => (typeof v === 'boolean' ? null : 'devcontainer must be yes or no'),
  arc: (v: boolean) => (typeof v === 'boolean' ? null : 'arc must be yes or no'),
  serial: (v: string) => ((SERIAL_MODES as readonly string[]).includes(v) ? null : `unknown serial mode ${quoted(v)} (${SERIAL_MODES.join(', ')})`),
  preset: (v: string) => ((PRESET_IDS as readonly string[]).includes(v) ? null : `unknown preset ${quoted(v)} (${PRESET_IDS.join(', ')})`),
  'project-name': (v: string) => tooLong('project name', v, MAX_LENGTH.projectName) ?? (SLUG.test(v) ? null : `invalid project name ${quoted(v)}: lowercase letters and digits with one . _ or - between them (it starts image and volume names), e.g. sensor-hub`),
  'project-dir': (v: string) => tooLong('project folder', v, MAX_LENGTH.projectDir) ?? (v === '.' || (/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/.test(v) && !v.split('/').includes('..')) ? null : `invalid project folder ${quoted(v)}: a plain relative path inside the repository, letters, digits, _ . -`),
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
  const ref = imageRepo(a);
  if (ref.length > MAX_LENGTH.imageRef) throw new AnswersError(`image ${quoted(ref)} is longer than the ${MAX_LENGTH.imageRef} characters Docker takes for a name, registry included (--image)`, 'image');
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

/**
 * A project name given as a flag is taken as it is, checked: `--project-name 'Sensor Hub'` is
 * refused with an example rather than silently changed (defaultAnswers makes a folder name into one).
 */
export function givenProjectName(v: string | undefined): string | undefined {
  const problem = v === undefined ? null : COMMON_CHECKS['project-name'](v);
  if (problem) throw new AnswersError(`${problem} (--project-name)`, 'project-name');
  return v;
}

/** Defaults for everything not read from the project. */
/** Runner counts offered when runners are turned on (the default answers have none). */
export const DEFAULT_RUNNER_COUNTS = { dev: 1, prod: 2 } as const;

export function defaultAnswers(projectName: string, envs: EnvAnswer[]): Answers {
  const slug = projectSlug(projectName) || 'firmware';
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
