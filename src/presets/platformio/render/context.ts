// Values derived from the answers that several artifacts share, computed in one place.
import { envSlug, imageRepo, OPTIONAL_TOOLS, type Answers } from '../../../core/answers.js';
import { FILES, IN_IMAGE, TOOL_VERSION } from '../../../core/paths.js';
import { toolchainFor, type Toolchain } from '../toolchain.js';
import { VERSIONS } from '../../../core/versions.js';
import { dockerQuote } from '../../../capabilities/template.js';

/** Image targets (Dockerfile stages that get a tagged image). */
export type ImageTarget = 'dev' | 'builder' | 'runner';

/** Self-hosted runner groups: `dev` takes untrusted work (pull requests), `prod` the default branch. */
export type RunnerGroup = 'dev' | 'prod';

export interface RenderContext {
  a: Answers;
  tc: Toolchain;
  versions: typeof VERSIONS;
  files: typeof FILES;
  inImage: typeof IN_IMAGE;
  toolVersion: string;
  /** Image repository without tag, registry prefixed. */
  repo: string;
  targets: ImageTarget[];
  imageRef: (t: ImageTarget) => string;
  home: string;
  cachePath: string;
  /** Named volume holding the toolchain cache, shared by every compose file. */
  cacheVolume: string;
  envs: { name: string; slug: string; board: string | null; platform: string | null }[];
  /** Env built when `build` is given no -e: the first (default) env. */
  defaultEnv: string;
  extraApt: string[];
  hasRunners: boolean;
  /** Runner groups that have at least one runner (none without runners). */
  runnerGroups: RunnerGroup[];
  /**
   * The labels a group's runners register with (GitHub adds `self-hosted`, OS and arch): one source
   * for the runner services and the workflow's `runs-on`, so the two cannot drift apart.
   */
  runnerLabels: (group: RunnerGroup) => string[];
  /**
   * A runner group's own toolchain cache volume: a job on a dev runner (pull requests) cannot
   * change the toolchains prod runners and local builds (cacheVolume) use.
   */
  runnerCacheVolume: (group: RunnerGroup) => string;
  /** Host folder with the runners' root-only credential files (RUNNER_SECRETS overrides it). */
  runnerSecretsDir: string;
  /** More than MANY_ENVS envs: only `serviceEnvs` get their own compose service and CI job. */
  manyEnvs: boolean;
  /**
   * Envs with their own build service (and CI matrix job): every env, or beyond MANY_ENVS only the
   * default env; the generic `build` service (`run --rm build -e NAME`) and `all` cover the rest.
   * An env whose slug is a generic service's name has no service of its own either.
   */
  serviceEnvs: { name: string; slug: string; board: string | null; platform: string | null }[];
  /** Quotes a Dockerfile ARG/ENV value (double quotes, only when needed). */
  dq: (s: string) => string;
  /** apt packages native envs need (host compiler); empty when no env is native. */
  nativeApt: string[];
  /** First words the builder's entrypoint hands to the build entrypoint: its commands and the tool's. */
  buildCommands: string[];
  /** In the images: `as-user CMD` runs CMD as the uid:gid the entrypoint picked (for docker exec). */
  asUser: string;
  /** In the images: the init (PID 1), Debian's tini. */
  tini: string;
  /** The PlatformIO project folder relative to the repository root (`.`: the root). */
  projectDir: string;
  /** Where builds run in the containers: the project folder in the mounted repository. */
  workdir: string;
  /** A path of the project (e.g. `platformio.ini`, `.pio/build`) relative to the repository root. */
  projectPath: (p: string) => string;
}

/** Above this many envs, per-env compose services and CI jobs are made for the default env only. */
export const MANY_ENVS = 20;
/** Services of the build compose file that are not one env's. */
export const GENERIC_BUILD_SERVICES = ['build', 'all', 'clean', 'shell'];

export function renderContext(a: Answers): RenderContext {
  const tc = toolchainFor(a);
  const repo = imageRepo(a);
  const hasRunners = a.runners.kind !== 'none' && a.runners.dev + a.runners.prod > 0;
  const home = `/home/${a.user.name}`;
  return {
    a,
    tc,
    versions: VERSIONS,
    files: FILES,
    inImage: IN_IMAGE,
    toolVersion: TOOL_VERSION,
    repo,
    targets: hasRunners ? ['dev', 'builder', 'runner'] : ['dev', 'builder'],
    imageRef: (t) => `${repo}:${t}`,
    home,
    cachePath: `${home}/${tc.cacheDir}`,
    cacheVolume: `${a.projectName}-platformio`,
    envs: a.envs.map((e) => ({ ...e, slug: envSlug(e.name) })),
    defaultEnv: a.envs[0].name,
    extraApt: a.tools.flatMap((t) => [...OPTIONAL_TOOLS[t].apt]).sort(),
    hasRunners,
    runnerGroups: hasRunners ? (['dev', 'prod'] as const).filter((g) => a.runners[g] > 0) : [],
    // The project's name too: two projects' runners in one organisation never take each other's jobs.
    runnerLabels: (group) => [...new Set(['platformio', a.projectName, group, ...a.runners.labels])],
    runnerCacheVolume: (group) => `${a.projectName}-platformio-ci-${group}`,
    runnerSecretsDir: `/etc/github-runners/${a.projectName}`,
    ...envServices(a),
    dq: dockerQuote,
    nativeApt: a.envs.some((e) => e.platform === 'native') ? [...tc.nativeApt] : [],
    buildCommands: ['build', 'all', 'clean', 'list', 'help', ...tc.commands],
    asUser: '/usr/local/bin/as-user',
    tini: '/usr/bin/tini',
    projectDir: a.projectDir,
    workdir: a.projectDir === '.' ? IN_IMAGE.workspace : `${IN_IMAGE.workspace}/${a.projectDir}`,
    projectPath: (p) => (a.projectDir === '.' ? p : `${a.projectDir}/${p}`),
  };
}

function envServices(a: Answers): Pick<RenderContext, 'manyEnvs' | 'serviceEnvs'> {
  const envs = a.envs.map((e) => ({ ...e, slug: envSlug(e.name) }));
  const manyEnvs = envs.length > MANY_ENVS;
  return { manyEnvs, serviceEnvs: (manyEnvs ? envs.slice(0, 1) : envs).filter((e) => !GENERIC_BUILD_SERVICES.includes(e.slug)) };
}
