import { FILES } from '../paths.js';
import { renderContext } from './context.js';
import { renderTemplate } from './template.js';
import type { Renderer } from './types.js';

export const renderWorkflow: Renderer = (a) =>
  a.ci === 'github'
    ? [{ path: FILES.workflow, content: renderTemplate('workflow.yml', renderContext(a)), executable: false }]
    : [];
