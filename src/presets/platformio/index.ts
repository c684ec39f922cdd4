// The PlatformIO preset: the renderers, questions and readers that were the whole tool before
// presets existed, re-exported behind the Preset shape (its output is byte for byte the same).
import { FILES } from '../../core/paths.js';
import { askAll } from '../../capabilities/questions.js';
import { composeRenderers } from './render/compose.js';
import { renderArc } from './render/arc.js';
import { renderDocs } from './render/docs.js';
import { renderDevcontainer } from './render/devcontainer.js';
import { renderDockerfile, renderDockerignore } from './render/dockerfile.js';
import { shellRenderers } from './render/shell.js';
import { renderWorkflow } from './render/workflow.js';
import type { Preset } from '../types.js';
import { platformioFlags } from './flags.js';

export { platformio as platformioToolchain, type Toolchain } from './toolchain.js';

export const platformio: Preset = {
  id: platformioFlags.id,
  displayName: platformioFlags.displayName,
  // The project (platformio.ini, here or in one subfolder) was located and read before.
  detect: (_root, project) => project.envs !== null,
  read: (_root, project) => ({ projectDir: project.projectDir, envs: project.envs ?? [], default_envs: project.defaults }),
  questions: platformioFlags.questions,
  tracksEnvs: true,
  ask: (ctx) => askAll(ctx),
  validate: () => {},
  renderers: [renderDockerfile, renderDockerignore, ...shellRenderers, ...composeRenderers, renderWorkflow, renderDocs, renderDevcontainer, renderArc],
  paths: Object.values(FILES),
  buildSettings: ['PLATFORMIO_VERSION', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST'],
  checks: [],
  // Loaded when verify runs, not with the scaffold.
  verify: async (v) => {
    const [{ runSmokeChecks }, { renderContext }] = await Promise.all([import('./smoke.js'), import('./render/context.js')]);
    await runSmokeChecks({ c: renderContext(v.a), sandbox: v.sandbox, report: v.report, projectDir: v.projectDir, images: v.images, timeoutMs: v.timeoutMs, buildNetwork: v.buildNetwork });
  },
};
