// The generated shell scripts: image entrypoints (docker/) and host helpers (scripts/).
// Each is one ejs template; values that need shell quoting are computed here, not in templates.
import type { Answers } from '../../../core/answers.js';
import { FILES } from '../../../core/paths.js';
import { renderContext, type RenderContext } from './context.js';
import { renderTemplate as renderShared } from '../../../capabilities/template.js';
import { renderTemplate, shq, shqAssign } from './template.js';
import type { Artifact, Renderer } from '../../../capabilities/artifact.js';

/** The render context plus shell-ready words for the templates. */
export interface ShellContext extends RenderContext {
  /** Shell-quotes one word. */
  q: (s: string) => string;
  /** Quotes a value from the answers assigned to a variable (always quoted: see shqAssign). */
  qa: (s: string) => string;
  /** Every generated env name, quoted, space-separated: the body of a bash array. */
  envWords: string;
  /** Quoted envs whose platform is `native` (tests that run without hardware). */
  nativeEnvWords: string;
  /** Quoted firmware file globs (relative to the env's build folder). */
  artifactWords: string;
}

export function shellContext(a: Answers): ShellContext {
  const c = renderContext(a);
  const words = (xs: string[]) => xs.map(shq).join(' ');
  return {
    ...c,
    q: shq,
    qa: shqAssign,
    envWords: words(c.envs.map((e) => e.name)),
    nativeEnvWords: words(c.envs.filter((e) => e.platform === 'native').map((e) => e.name)),
    artifactWords: words(c.tc.artifactGlobs),
  };
}

// shared: the root entrypoint every preset uses (src/capabilities/templates/); the rest are PlatformIO's.
const SCRIPTS: { path: string; template: string; shared?: true; when?: (c: ShellContext) => boolean }[] = [
  { path: FILES.entrypoint, template: 'entrypoint.sh', shared: true },
  { path: FILES.buildEntrypoint, template: 'pio-build.sh' },
  { path: FILES.runnerEntrypoint, template: 'runner-entrypoint.sh', when: (c) => c.hasRunners },
  { path: FILES.buildScript, template: 'build-docker.sh' },
  { path: FILES.localCi, template: 'local-ci.sh' },
  { path: FILES.testVolumes, template: 'test-persistent-volumes.sh' },
];

const renderShell: Renderer = (a): Artifact[] => {
  const c = shellContext(a);
  return SCRIPTS.filter((s) => s.when?.(c) ?? true).map((s) => ({ path: s.path, content: (s.shared ? renderShared : renderTemplate)(s.template, c), executable: true }));
};

export const shellRenderers: Renderer[] = [renderShell];
