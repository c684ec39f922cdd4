// go-deb's artifacts: pure functions of the answers (what was read from go.mod and debian/control is
// in them). Text formats come from src/presets/go-deb/templates/, compose is data.
import { imageRepo, type Answers } from '../../core/answers.js';
import { writeCompose, type Service } from '../../core/compose-model.js';
import { TOOL_VERSION } from '../../core/paths.js';
import { renderRootEntrypoint } from '../../capabilities/root-entrypoint.js';
import { dockerQuote, renderPresetTemplate, shq, shqAssign } from '../../capabilities/template.js';
import type { Artifact, Renderer } from '../../capabilities/artifact.js';
import { pinnedAction, VERSIONS } from '../../core/versions.js';
import { COMPOSE_HARDENING } from '../../capabilities/hardening.js';
import { goDebOf, type GoDebAnswers } from './answers.js';

/** Paths go-deb generates (those it shares with PlatformIO carry the same meaning). */
export const GO_DEB_FILES = {
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  entrypoint: 'docker/entrypoint.sh',
  buildEntrypoint: 'docker/go-build.sh',
  composeBuild: 'compose.build.yaml',
  buildScript: 'scripts/build-docker.sh',
  docs: 'docs/DOCKER.md',
  workflow: '.github/workflows/docker-build.yml',
} as const;

/** In the image: tini, the root-start entrypoint, the build entrypoint and where the repository is mounted. */
export const IN_IMAGE = { tini: '/usr/bin/tini', entrypoint: '/usr/local/bin/docker-entrypoint', asUser: '/usr/local/bin/as-user', buildEntrypoint: '/usr/local/bin/go-build', workdir: '/build' } as const;
/** The variable naming the one cache volume's mount point (the entrypoint fixes its ownership). */
export const CACHE_ENV = 'GO_CACHE_DIR';
/** Go reads these from its environment: compose and verify pass them through (proxies, private modules). */
export const GO_ENV = ['GOPROXY', 'GOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'GONOSUMDB', 'GOINSECURE', 'GOFLAGS'] as const;

/**
 * The one cache volume, in the image user's home: Go's module cache (GOMODCACHE) and build cache
 * (GOCACHE) below it, so one volume keeps both and the entrypoint re-owns both.
 */
export function goCachePaths(a: Answers): { home: string; dir: string; mod: string; build: string } {
  const home = `/home/${a.user.name}`;
  const dir = `${home}/.cache/go`;
  return { home, dir, mod: `${dir}/mod`, build: `${dir}/build` };
}
/** The .deb and binaries go here by default, relative to the project folder (where builds run). */
const OUTPUT = 'dist';
export const PROFILES = ['binaries', 'deb', 'all', 'clean'] as const;
/** go-build.sh's own commands (the entrypoint hands any other program on PATH to itself). */
const BUILD_COMMANDS = [...PROFILES, 'help'] as const;

export interface GoDebContext {
  a: Answers;
  g: GoDebAnswers;
  toolVersion: string;
  versions: typeof VERSIONS;
  files: typeof GO_DEB_FILES;
  inImage: typeof IN_IMAGE;
  cache: ReturnType<typeof goCachePaths>;
  cacheEnv: string;
  goEnv: readonly string[];
  output: string;
  /** The project folder relative to the repository root (`.`: the root), where every build runs. */
  projectDir: string;
  /** Where builds run in the image: the mounted repository, or the project folder in it. */
  workdir: string;
  /** A path of the project folder, relative to the repository root (`dist` -> `go/dist`). */
  projectPath: (p: string) => string;
  profiles: readonly string[];
  /** The builder image reference. */
  image: string;
  /** apt packages of the image: what the entrypoint needs, a C toolchain with cgo, the asked ones. */
  apt: string[];
  q: (s: string) => string;
  /** Quotes a value from the answers assigned to a variable (always quoted: see shqAssign). */
  qa: (s: string) => string;
  dq: (s: string) => string;
  /** `dir:name` words of the commands, quoted, for a bash array. */
  commandWords: string;
  uses: (name: keyof typeof VERSIONS.actions) => string;
}

export function goDebContext(a: Answers): GoDebContext {
  const g = goDebOf(a);
  const base = ['ca-certificates', 'dpkg-dev', 'git', 'tini'];
  const cgo = g.cgo ? ['gcc', 'libc6-dev', 'pkg-config'] : [];
  return {
    a,
    g,
    toolVersion: TOOL_VERSION,
    versions: VERSIONS,
    files: GO_DEB_FILES,
    inImage: IN_IMAGE,
    cache: goCachePaths(a),
    cacheEnv: CACHE_ENV,
    goEnv: GO_ENV,
    output: OUTPUT,
    projectDir: a.projectDir,
    workdir: a.projectDir === '.' ? IN_IMAGE.workdir : `${IN_IMAGE.workdir}/${a.projectDir}`,
    projectPath: (p) => projectPath(a, p),
    profiles: PROFILES,
    image: `${imageRepo(a)}:builder`,
    apt: [...new Set([...base, ...cgo, ...g.systemPackages])].sort(),
    q: shq,
    qa: shqAssign,
    dq: dockerQuote,
    commandWords: g.commands.map((c) => shq(`${c.dir}:${c.name}`)).join(' '),
    uses: pinnedAction,
  };
}

/** `p` in the project folder: `go/dist` for dist of a project in go/, `dist` at the root. */
export const projectPath = (a: Answers, p: string) => (a.projectDir === '.' ? p : `${a.projectDir}/${p}`);

const template = (name: string, c: GoDebContext) => renderPresetTemplate('go-deb', name, c);

const dockerfile: Renderer = (a) => [{ path: GO_DEB_FILES.dockerfile, content: template('Dockerfile', goDebContext(a)), executable: false }];

const buildEntrypoint: Renderer = (a) => [{ path: GO_DEB_FILES.buildEntrypoint, content: template('go-build.sh', goDebContext(a)), executable: true }];

/** The shared root-start entrypoint: tini starts it as root, it re-owns the cache volume and drops to the checkout's owner. */
const entrypoint: Renderer = (a) => {
  const cache = goCachePaths(a);
  const content = renderRootEntrypoint({
    toolVersion: TOOL_VERSION,
    userName: a.user.name,
    home: cache.home,
    workspace: IN_IMAGE.workdir,
    entrypoint: IN_IMAGE.entrypoint,
    cachePath: cache.dir,
    cacheEnv: CACHE_ENV,
    displayName: 'Go module and build',
    cli: 'go',
    // Go's caches hold no executables to restore (GOTOOLCHAIN=local: no toolchain downloads).
    executableDirs: [],
    buildEntrypoint: IN_IMAGE.buildEntrypoint,
    buildCommands: BUILD_COMMANDS,
  });
  return [{ path: GO_DEB_FILES.entrypoint, content, executable: true }];
};

const buildScript: Renderer = (a) => [{ path: GO_DEB_FILES.buildScript, content: template('build-docker.sh', goDebContext(a)), executable: true }];

const docs: Renderer = (a) => [{ path: GO_DEB_FILES.docs, content: template('DOCKER.md', goDebContext(a)), executable: false }];

const workflow: Renderer = (a) => (a.ci === 'github' ? [{ path: GO_DEB_FILES.workflow, content: template('workflow.yml', goDebContext(a)), executable: false }] : []);

// Only go.mod, go.sum and the sources reach the `compile` stage; output, VCS and caches stay out.
const IGNORED = ['.git/', `${OUTPUT}/`, '.cache/', '.idea/', '.vscode/', 'node_modules/', '*.deb', '.env', '.create-pio-docker/'];

const dockerignore: Renderer = (a) => [
  {
    path: GO_DEB_FILES.dockerignore,
    content: '# Generated by create-pio-docker. The `compile` stage copies the sources; the builder image\n# bind-mounts them at run time. Build output, VCS data and caches never go in.\n' + [...IGNORED, ...(a.projectDir === '.' ? [] : [`${projectPath(a, OUTPUT)}/`])].join('\n') + '\n',
    executable: false,
  },
];

/** compose.build.yaml: one service per profile, all the builder image with the repository mounted. */
const compose: Renderer = (a) => {
  const c = goDebContext(a);
  const service = (profile: string): Service => ({
    image: c.image,
    // The image scripts/build-docker.sh built, as it is: no rebuild per run, and never a pull (a
    // missing image is compose's `no such image` error, not a download of the default base).
    pull_policy: 'never',
    // No capabilities but those the entrypoint and tini need (src/render/hardening.ts).
    ...COMPOSE_HARDENING,
    volumes: [`.:${IN_IMAGE.workdir}`, `go-cache:${c.cache.dir}`],
    working_dir: c.workdir,
    // HOST_UID/HOST_GID empty: the entrypoint runs the build as the checkout's owner. Go's settings
    // are null: taken from the shell when set there, else not set at all, so a base image's own
    // GOPROXY (a mirror) stays.
    environment: { VERSION: '${VERSION:-}', HOST_UID: '${HOST_UID:-}', HOST_GID: '${HOST_GID:-}', ...Object.fromEntries(GO_ENV.map((v) => [v, null])) },
    command: [profile, '--output', OUTPUT],
    profiles: [profile],
  });
  return [
    {
      path: GO_DEB_FILES.composeBuild,
      content: writeCompose({
        header: `Generated by create-pio-docker ${TOOL_VERSION}. Builds ${c.g.module} in the builder image\n(build it first: scripts/build-docker.sh; compose never builds nor pulls it):\n  docker compose -f compose.build.yaml run --rm binaries   # or deb, all, clean\nOutput goes to ${c.projectPath(OUTPUT)}/ (override: --output DIR in command${a.projectDir === '.' ? '' : `, relative to ${a.projectDir}/`}).`,
        extensions: {},
        services: Object.fromEntries(PROFILES.map((p) => [p, service(p)])),
        volumes: { 'go-cache': { name: `${a.projectName}-go-cache` } },
      }),
      executable: false,
    },
  ];
};

export const goDebRenderers: readonly Renderer[] = [dockerfile, dockerignore, entrypoint, buildEntrypoint, compose, buildScript, workflow, docs];

/** After a first scaffold. */
export function goDebNextSteps(a: Answers): string {
  return ['', 'Next steps:', '  scripts/build-docker.sh                              # build the builder image', `  docker compose -f ${GO_DEB_FILES.composeBuild} run --rm deb   # the .deb in ${projectPath(a, OUTPUT)}/`, `  git add ${Object.values(GO_DEB_FILES).filter((p) => a.ci === 'github' || !p.startsWith('.github/')).join(' ')} .create-pio-docker.json`, `Docs: ${GO_DEB_FILES.docs}`, ''].join('\n');
}

export type { Artifact };
