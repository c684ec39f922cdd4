// Values derived from the answers that several artifacts share, computed in one place.
import { envSlug, imageRepo, OPTIONAL_TOOLS, type Answers } from '../answers.js';
import { FILES, IN_IMAGE, TOOL_VERSION } from '../paths.js';
import { toolchainFor, type Toolchain } from '../toolchains/platformio.js';
import { VERSIONS } from '../versions.js';

/** Image targets (Dockerfile stages that get a tagged image). */
export type ImageTarget = 'dev' | 'builder' | 'runner';

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
}

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
  };
}
