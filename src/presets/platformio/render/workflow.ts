import { FILES } from '../../../core/paths.js';
import { scaleSetName } from './arc.js';
import { renderContext, type RenderContext } from './context.js';
import { renderTemplate } from './template.js';
import type { Renderer } from '../../../capabilities/artifact.js';
import { pinnedAction } from '../../../core/versions.js';

type ActionName = keyof RenderContext['versions']['actions'];

/** What the workflow template needs beyond the shared render context. */
export interface WorkflowContext extends RenderContext {
  /** `owner/action@<40-hex SHA> # vX.Y.Z`: pinned by commit, the release tag as a comment. */
  uses: (name: ActionName) => string;
  /** The CI matrix: the default env alone when there are many envs, else every env. */
  matrixEnvs: { name: string; native: boolean; cacheScope: string }[];
  /** Build jobs run on the project's self-hosted runners, in the runner image (no Docker there). */
  selfHosted: boolean;
  /** `runs-on` of the build jobs (a YAML value). */
  runsOn: string;
  /** The `image` job exists: it builds the builder image for GitHub-hosted build jobs, and/or
   * builds every platform / pushes to the registry. */
  imageJob: boolean;
  /** GitHub-hosted build jobs load the builder image the `image` job built (once per run). */
  handOffImage: boolean;
  /** More platforms than the CI host's own: QEMU is set up. */
  emulate: string[];
  /** Targets built for every platform in the `image` job (pushed on the default branch with a registry). */
  publishTargets: RenderContext['targets'];
  /** Registry login: host and where the credentials come from, or null without a registry. */
  login: { host: string; username: string; password: string; ghcr: boolean } | null;
  /** hashFiles() arguments: every PlatformIO config file (platformio.ini and the .ini files it may include). */
  configHash: string;
  /** Nightly "every env" run (many envs only): minute and hour, spread by project name. */
  cron: string;
  /** Expression: trusted code (the default branch, nightly): prod runners, pushes. */
  trusted: string;
  /** Expression: a push to the default branch: the only event that pushes images. */
  publish: string;
  /** Expression: not a pull request from a fork (whose code must not run on self-hosted runners). */
  notFromFork: string;
}

/** The platform the GitHub-hosted build jobs run on (ubuntu-latest is x64). */
const HOST_PLATFORM = 'linux/amd64';

/** Expression text (inside `${{ }}`) true on a push to the repository's default branch. */
const DEFAULT_BRANCH_PUSH = "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
/** Expression text: anything but a pull request from a fork. */
const NOT_FROM_FORK = "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository";
/** Trusted code: the default branch (push or run by hand) or the nightly run (whose event carries no repository). */
const TRUSTED = `github.event_name == 'schedule' || (github.event_name != 'pull_request' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch))`;

/** The cache scope of an env: its PlatformIO platform (packages are per platform), made key-safe. */
export function cacheScope(platform: string | null, envSlugValue: string): string {
  if (platform === null) return `env-${envSlugValue}`;
  return platform.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || `env-${envSlugValue}`;
}

/** A runner label as a YAML flow item: plain when YAML reads it back as the same string. */
function yamlLabel(label: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(label) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(label);
  return plain ? label : JSON.stringify(label);
}

/**
 * `runs-on` for the build jobs on self-hosted runners: `self-hosted` plus the labels the runner
 * services register (c.runnerLabels), so a job can only land on this project's runners. With dev
 * and prod runners, trusted runs (TRUSTED) go to prod and everything else, pull requests first, to dev.
 */
export function selfHostedRunsOn(c: RenderContext): string {
  const groups = c.runnerGroups;
  if (groups.length === 1) return `[${['self-hosted', ...c.runnerLabels(groups[0])].map(yamlLabel).join(', ')}]`;
  const dev = c.runnerLabels('dev');
  const prod = c.runnerLabels('prod');
  if (dev.length === prod.length) {
    const items = dev.map((d, i) => (d === prod[i] ? yamlLabel(d) : `"\${{ (${TRUSTED}) && '${prod[i]}' || '${d}' }}"`));
    return `[${['self-hosted', ...items].join(', ')}]`;
  }
  const json = (g: string[]) => JSON.stringify(['self-hosted', ...g]);
  return `\${{ fromJSON((${TRUSTED}) && '${json(prod)}' || '${json(dev)}') }}`;
}

/**
 * `runs-on` with actions-runner-controller: a scale set is addressed by its name alone (it takes no
 * labels); trusted runs go to the prod set when there is one.
 */
export function scaleSetRunsOn(c: RenderContext): string {
  const [first, second] = c.runnerGroups;
  if (!second) return yamlLabel(scaleSetName(c, first));
  return `"\${{ (${TRUSTED}) && '${scaleSetName(c, 'prod')}' || '${scaleSetName(c, 'dev')}' }}"`;
}

/** Nightly at a minute and hour spread by the project's name (stable: generating twice is identical). */
function nightly(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 100_000;
  return `${h % 60} ${2 + (h % 3)} * * *`;
}

export function workflowContext(c: RenderContext): WorkflowContext {
  const a = c.a;
  const registryHost = a.image.registry ? a.image.registry.split('/')[0] : '';
  const multi = a.platforms.length > 1 || a.platforms[0] !== HOST_PLATFORM;
  const selfHosted = c.hasRunners;
  const handOffImage = !selfHosted;
  const publishTargets = a.image.registry || multi ? c.targets : [];
  const pp = (p: string) => c.projectPath(p);
  return {
    ...c,
    uses: pinnedAction,
    matrixEnvs: (c.manyEnvs ? c.envs.slice(0, 1) : c.envs).map((e) => ({ name: e.name, native: e.platform === 'native', cacheScope: cacheScope(e.platform, e.slug) })),
    selfHosted,
    runsOn: selfHosted ? (a.arc ? scaleSetRunsOn(c) : selfHostedRunsOn(c)) : 'ubuntu-latest',
    imageJob: handOffImage || publishTargets.length > 0,
    handOffImage,
    emulate: a.platforms.filter((p) => p !== HOST_PLATFORM),
    publishTargets,
    login: registryHost
      ? registryHost === 'ghcr.io'
        ? { host: registryHost, username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}', ghcr: true }
        : { host: registryHost, username: '${{ secrets.REGISTRY_USERNAME }}', password: '${{ secrets.REGISTRY_PASSWORD }}', ghcr: false }
      : null,
    configHash: [pp('platformio.ini'), pp('**/*.ini'), `!${pp('.pio/**')}`, '!.ci-cache/**'].map((p) => `'${p}'`).join(', '),
    cron: nightly(a.projectName),
    trusted: TRUSTED,
    publish: DEFAULT_BRANCH_PUSH,
    notFromFork: NOT_FROM_FORK,
  };
}

/**
 * The workflow. GitHub-hosted: one `image` job builds the builder image once (GitHub Actions cache)
 * and hands it to the matrix jobs. Self-hosted: the matrix jobs run on the project's runners, in
 * the runner image itself. With many envs, the matrix is the default env, plus an `all` job nightly
 * and by hand.
 */
export const renderWorkflow: Renderer = (a) => {
  if (a.ci !== 'github') return [];
  const c = workflowContext(renderContext(a));
  return [{ path: FILES.workflow, content: renderTemplate('workflow.yml', c as RenderContext), executable: false }];
};
