import { FILES } from '../paths.js';
import { renderContext } from './context.js';
import { renderTemplate } from './template.js';
import type { Renderer } from './types.js';

/** The workflow: one matrix job per env, or with many envs the default env plus an `all` job by hand. */
export const renderWorkflow: Renderer = (a) => {
  if (a.ci !== 'github') return [];
  const c = renderContext(a);
  const matrixEnvs = c.manyEnvs ? c.envs.slice(0, 1) : c.envs;
  return [{ path: FILES.workflow, content: renderTemplate('workflow.yml', { ...c, matrixEnvs } as typeof c), executable: false }];
};
