// Every version that generated files pin lives here, so renderers, docs and tests agree.
export const VERSIONS = {
  /** Default base image: Debian bookworm based, so apt package names below match. */
  baseImage: 'python:3.12.12-slim-bookworm',
  platformio: '6.1.18',
  /** GitHub Actions runner, downloaded by the runner container at first start (never at build time). */
  githubRunner: '2.329.0',
  /** Debian bookworm's tini (PID 1 of every image); installed from the apt mirror. */
  tini: '0.19',
  /** actions used by the generated workflow */
  actions: {
    checkout: 'actions/checkout@v4',
    setupBuildx: 'docker/setup-buildx-action@v3',
    buildPush: 'docker/build-push-action@v6',
    cache: 'actions/cache@v4',
    uploadArtifact: 'actions/upload-artifact@v4',
  },
} as const;
