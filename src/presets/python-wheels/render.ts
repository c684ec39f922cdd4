// python-wheels' artifacts: pure functions of the answers (what was read from pyproject.toml is in
// them). Text formats come from src/presets/python-wheels/templates/, compose is data.
import { imageRepo, type Answers } from '../../core/answers.js';
import { writeCompose, type Service } from '../../core/compose-model.js';
import { TOOL_VERSION } from '../../core/paths.js';
import { renderRootEntrypoint } from '../../capabilities/root-entrypoint.js';
import { dockerQuote, renderPresetTemplate, shq, shqAssign } from '../../capabilities/template.js';
import type { Renderer } from '../../capabilities/artifact.js';
import { pinnedAction, VERSIONS } from '../../core/versions.js';
import { COMPOSE_HARDENING } from '../../capabilities/hardening.js';
import { pythonWheelsOf, type PythonWheelsAnswers } from './answers.js';
import { cpTag } from './versions.js';

/** Paths python-wheels generates (those it shares with other presets carry the same meaning). */
export const PYTHON_WHEELS_FILES = {
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  buildEntrypoint: 'docker/build-wheels.sh',
  entrypoint: 'docker/entrypoint.sh',
  composeBuild: 'compose.build.yaml',
  localCi: 'scripts/local-ci.sh',
  docs: 'docs/DOCKER.md',
  workflow: '.github/workflows/docker-build.yml',
} as const;

/** In the image: the entrypoints, where the repository is mounted, the image user and pip's cache in its home. */
export const IN_IMAGE = {
  entrypoint: '/usr/local/bin/entrypoint.sh',
  buildEntrypoint: '/usr/local/bin/build-wheels',
  workdir: '/build',
  user: 'builder',
  home: '/home/builder',
  pipCache: '/home/builder/.cache/pip',
} as const;
/** The build entrypoint's own commands (the root-start entrypoint hands any other program on PATH to itself). */
const BUILD_COMMANDS = ['wheels', 'clean', 'help'] as const;
/** Repaired wheels go here, relative to the project folder (where builds run). */
export const OUTPUT = 'dist';
/** The label on the builder image: sha256 of the files it is built from (local-ci.sh build-docker). */
const INPUTS_LABEL = 'org.create-pio-docker.inputs-sha256';
/** Clean test containers: TEST_IMAGE_REPO:X.Y-slim (python:3.12-slim by default). */
export const TEST_IMAGE_REPO = 'python';

export interface PythonWheelsContext {
  a: Answers;
  p: PythonWheelsAnswers;
  toolVersion: string;
  files: typeof PYTHON_WHEELS_FILES;
  inImage: typeof IN_IMAGE;
  output: string;
  /** The project folder relative to the repository root (`.`: the root), where every build runs. */
  projectDir: string;
  /** Where builds run in the image: the mounted repository, or the project folder in it. */
  workdir: string;
  /** A path of the project folder, relative to the repository root (`dist` -> `python/dist`). */
  projectPath: (p: string) => string;
  inputsLabel: string;
  testImageRepo: string;
  /** The builder image reference. */
  image: string;
  /** Versions with their cpXY tags. */
  pythons: { version: string; tag: string }[];
  /** The import test: `import a, b` as Python source. */
  importLine: string;
  /** What the image installs with its package manager. */
  packages: string[];
  q: (s: string) => string;
  /** Quotes a value from the answers assigned to a variable (always quoted: see shqAssign). */
  qa: (s: string) => string;
  dq: (s: string) => string;
  uses: (name: keyof typeof VERSIONS.actions) => string;
}

export function pythonWheelsContext(a: Answers): PythonWheelsContext {
  const p = pythonWheelsOf(a);
  return {
    a,
    p,
    toolVersion: TOOL_VERSION,
    files: PYTHON_WHEELS_FILES,
    inImage: IN_IMAGE,
    output: OUTPUT,
    projectDir: a.projectDir,
    workdir: a.projectDir === '.' ? IN_IMAGE.workdir : `${IN_IMAGE.workdir}/${a.projectDir}`,
    projectPath: (p) => projectPath(a, p),
    inputsLabel: INPUTS_LABEL,
    testImageRepo: TEST_IMAGE_REPO,
    image: `${imageRepo(a)}:builder`,
    pythons: p.pythonVersions.map((version) => ({ version, tag: cpTag(version) })),
    importLine: `import ${p.imports.join(', ')}`,
    packages: ['cmake', 'git'],
    q: shq,
    qa: shqAssign,
    dq: dockerQuote,
    uses: pinnedAction,
  };
}

/** `p` in the project folder: `python/dist` for dist of a project in python/, `dist` at the root. */
export const projectPath = (a: Answers, p: string) => (a.projectDir === '.' ? p : `${a.projectDir}/${p}`);

const template = (name: string, c: PythonWheelsContext) => renderPresetTemplate('python-wheels', name, c);

const file = (path: string, name: string, executable = false): Renderer => (a) => [{ path, content: template(name, pythonWheelsContext(a)), executable }];

// The shared root-start entrypoint: builds run as the checkout's owner, pip's cache volume is theirs.
const entrypoint: Renderer = () => [
  {
    path: PYTHON_WHEELS_FILES.entrypoint,
    content: renderRootEntrypoint({
      toolVersion: TOOL_VERSION,
      userName: IN_IMAGE.user,
      home: IN_IMAGE.home,
      workspace: IN_IMAGE.workdir,
      entrypoint: IN_IMAGE.entrypoint,
      cachePath: IN_IMAGE.pipCache,
      cacheEnv: 'PIP_CACHE_DIR',
      displayName: 'pip',
      cli: 'pip',
      // pip's cache holds wheels and HTTP responses, no executables to restore.
      executableDirs: [],
      buildEntrypoint: IN_IMAGE.buildEntrypoint,
      buildCommands: BUILD_COMMANDS,
      // No tini in manylinux's repositories: PID 1 is docker's own init.
      initName: "docker's init (--init)",
    }),
    executable: true,
  },
];

const workflow: Renderer = (a) => (a.ci === 'github' ? file(PYTHON_WHEELS_FILES.workflow, 'workflow.yml')(a) : []);

// The `compile` stage copies the sources: output, VCS data, virtualenvs and caches stay out.
const IGNORED = ['.git/', `${OUTPUT}/`, 'build/', 'wheelhouse/', '*.egg-info/', '__pycache__/', '.venv/', 'venv/', '.tox/', '.nox/', '.cache/', '.idea/', '.vscode/', 'node_modules/', '.env', '.pypi-token', '.create-pio-docker/'];

const dockerignore: Renderer = (a) => [
  {
    path: PYTHON_WHEELS_FILES.dockerignore,
    content: '# Generated by create-pio-docker. The `compile` stage copies the sources; the builder image\n# bind-mounts them at run time. Build output, VCS data, tokens and caches never go in.\n' + [...IGNORED, ...(a.projectDir === '.' ? [] : [`${projectPath(a, OUTPUT)}/`, `${projectPath(a, 'build')}/`])].join('\n') + '\n',
    executable: false,
  },
];

/** compose.build.yaml: `wheels` builds into dist/ in the builder image; `test` installs and imports each wheel in a clean container. */
const compose: Renderer = (a) => {
  const c = pythonWheelsContext(a);
  const wheels: Service = {
    image: c.image,
    // The image `scripts/local-ci.sh build-docker` built, as it is: no rebuild per run, and never a
    // pull (a missing image is compose's `no such image` error, not a download of the default base).
    pull_policy: 'never',
    // PID 1 forwards stop signals to the build (manylinux has no tini).
    init: true,
    // No capabilities but those the entrypoint and the init need (src/render/hardening.ts).
    ...COMPOSE_HARDENING,
    volumes: ['.:/build', `pip-cache:${IN_IMAGE.pipCache}`],
    working_dir: c.workdir,
    command: ['wheels', '--python', c.p.pythonVersions.join(','), '--output', OUTPUT],
    profiles: ['wheels'],
  };
  const test = (version: string, tag: string): Service => ({
    image: `\${TEST_IMAGE_REPO:-${TEST_IMAGE_REPO}}:${version}-slim`,
    // Long syntax: a missing dist/ is an error, not a folder the daemon creates as root (which the
    // next `run --rm wheels` as the checkout's owner could not write).
    volumes: [{ type: 'bind', source: `./${projectPath(a, OUTPUT)}`, target: '/dist', read_only: true, bind: { create_host_path: false } }],
    working_dir: '/tmp',
    // $$: compose passes a literal $ to the shell.
    command: ['sh', '-ec', `set -- /dist/*-${tag}-${tag}-*.whl; [ -f "$$1" ] || { echo "no ${tag} wheel in ${projectPath(a, OUTPUT)}/" >&2; exit 1; }; python -m pip install --no-cache-dir "$$1"; python -c '${c.importLine}'`],
    profiles: ['test'],
  });
  return [
    {
      path: PYTHON_WHEELS_FILES.composeBuild,
      content: writeCompose({
        header: `Generated by create-pio-docker ${TOOL_VERSION}. Builds and tests the wheels of ${c.p.name}\n(build the builder image first: scripts/local-ci.sh build-docker; compose never builds nor pulls it):\n  docker compose -f compose.build.yaml run --rm wheels                  # ${projectPath(a, OUTPUT)}/*.whl\n  docker compose -f compose.build.yaml --profile test up --abort-on-container-failure   # install + import each`,
        extensions: {},
        services: { wheels, ...Object.fromEntries(c.pythons.map((x) => [`test-${x.tag}`, test(x.version, x.tag)])) },
        volumes: { 'pip-cache': { name: `${a.projectName}-pip-cache` } },
      }),
      executable: false,
    },
  ];
};

export const pythonWheelsRenderers: readonly Renderer[] = [
  file(PYTHON_WHEELS_FILES.dockerfile, 'Dockerfile'),
  dockerignore,
  file(PYTHON_WHEELS_FILES.buildEntrypoint, 'build-wheels.sh', true),
  entrypoint,
  compose,
  file(PYTHON_WHEELS_FILES.localCi, 'local-ci.sh', true),
  workflow,
  file(PYTHON_WHEELS_FILES.docs, 'DOCKER.md'),
];

/** After a first scaffold. */
export function pythonWheelsNextSteps(a: Answers): string {
  return ['', 'Next steps:', '  scripts/local-ci.sh build-docker   # the manylinux builder image (skipped while unchanged)', `  scripts/local-ci.sh test           # wheels in ${projectPath(a, OUTPUT)}/, each installed and imported in a clean container`, `  git add ${Object.values(PYTHON_WHEELS_FILES).filter((p) => a.ci === 'github' || !p.startsWith('.github/')).join(' ')} .create-pio-docker.json`, `Docs: ${PYTHON_WHEELS_FILES.docs}`, ''].join('\n');
}
