// Every version that generated files pin lives here, so renderers, docs and tests agree.
export const VERSIONS = {
  /** Default base image: Debian bookworm based, so apt package names below match. */
  baseImage: 'python:3.12.12-slim-bookworm',
  platformio: '6.1.18',
  /** python-wheels: the pypa manylinux image tag its default BASE_IMAGE pins (YYYY.MM.DD-N): a tag
   * public projects build from (quay.io cannot be listed from here; re-pin to the newest). */
  manylinuxTag: '2025.09.28-1',
  /** GitHub Actions runner, downloaded by the runner container at first start (never at build time). */
  githubRunner: '2.329.0',
  /**
   * sha256 of actions-runner-linux-{x64,arm64}-<githubRunner>.tar.gz as listed in the release's notes
   * (checked against several independent copies of them); change with githubRunner.
   */
  githubRunnerSha256: {
    x64: '194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d',
    arm64: '56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf',
  },
  /** gha-runner-scale-set Helm chart (actions-runner-controller) the generated values target. */
  arcChart: '0.13.0',
  /** Debian bookworm's tini (PID 1 of every image); installed from the apt mirror. */
  tini: '0.19',
  /**
   * Actions used by the generated workflow, pinned by the full commit SHA of the release tag (a tag
   * can be moved; a SHA cannot). Each SHA was read from the action's repository (`git rev-parse
   * TAG^{commit}`); all run on node24, which needs runner 2.327.1 or later (githubRunner above).
   */
  actions: {
    checkout: { repo: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', tag: 'v7.0.1' },
    setupQemu: { repo: 'docker/setup-qemu-action', sha: '96fe6ef7f33517b61c61be40b68a1882f3264fb8', tag: 'v4.2.0' },
    setupBuildx: { repo: 'docker/setup-buildx-action', sha: '37fe631027851001ddb9b187196cc803df7f5f0e', tag: 'v4.3.0' },
    login: { repo: 'docker/login-action', sha: '4907a6ddec9925e35a0a9e82d7399ccc52663121', tag: 'v4.1.0' },
    buildPush: { repo: 'docker/build-push-action', sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a', tag: 'v7.3.0' },
    cache: { repo: 'actions/cache', sha: '27d5ce7f107fe9357f9df03efb73ab90386fccae', tag: 'v5.0.5' },
    uploadArtifact: { repo: 'actions/upload-artifact', sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', tag: 'v7.0.0' },
    downloadArtifact: { repo: 'actions/download-artifact', sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', tag: 'v8.0.1' },
  },
} as const;

/** A workflow's `uses:` value for one of VERSIONS.actions: pinned by full SHA, the tag in a comment. */
export function pinnedAction(name: keyof typeof VERSIONS.actions): string {
  const v = VERSIONS.actions[name];
  return `${v.repo}@${v.sha} # ${v.tag}`;
}
