import { FILES } from '../paths.js';
import { renderContext } from './context.js';
import { renderTemplate } from './template.js';
import type { Renderer } from './types.js';

export const renderDocs: Renderer = (a) => [{ path: FILES.docs, content: renderTemplate('DOCKER.md', renderContext(a)), executable: false }];
