// Where things are: the package root (for templates) and the files we generate.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder whose package.json names create-pio-docker) and its version. */
function findPackage(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'create-pio-docker') return { root: dir, version: pkg.version };
    } catch {
      /* keep walking up */
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('create-pio-docker: cannot find its own package.json');
    dir = parent;
  }
}

const PACKAGE = findPackage();
export const PACKAGE_ROOT = PACKAGE.root;
/** The shared layer's templates (src/capabilities/templates/); a preset's own are in its folder. */
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'src', 'capabilities', 'templates');
export const TOOL_VERSION: string = PACKAGE.version;

/** The one state file (answers, env selection, what was generated), at the project root. */
export const STATE_FILE = '.create-pio-docker.json';

/** Paths of generated files, relative to the target project. */
export const FILES = {
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  entrypoint: 'docker/entrypoint.sh',
  buildEntrypoint: 'docker/pio-build.sh',
  runnerEntrypoint: 'docker/runner-entrypoint.sh',
  composeImages: 'compose.images.yaml',
  composeBuild: 'compose.build.yaml',
  composeRunners: 'compose.runners.yaml',
  buildScript: 'scripts/build-docker.sh',
  localCi: 'scripts/local-ci.sh',
  testVolumes: 'scripts/test-persistent-volumes.sh',
  workflow: '.github/workflows/docker-build.yml',
  docs: 'docs/DOCKER.md',
  devcontainer: '.devcontainer/devcontainer.json',
  arcDev: 'arc/values-dev.yaml',
  arcProd: 'arc/values-prod.yaml',
} as const;

/** Paths inside the images. */
export const IN_IMAGE = {
  entrypoint: '/usr/local/bin/docker-entrypoint',
  buildEntrypoint: '/usr/local/bin/pio-build',
  runnerEntrypoint: '/usr/local/bin/runner-entrypoint',
  workspace: '/workspace',
  runnerDir: '/opt/actions-runner',
} as const;
