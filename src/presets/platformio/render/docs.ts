import { FILES } from '../../../core/paths.js';
import { renderContext } from './context.js';
import { renderTemplate, shq } from './template.js';
import type { Renderer } from '../../../capabilities/artifact.js';

/** DOCKER.md; `c.q` shell-quotes a word in the commands it shows (env names may hold spaces). */
export const renderDocs: Renderer = (a) => [{ path: FILES.docs, content: renderTemplate('DOCKER.md', { ...renderContext(a), q: shq } as ReturnType<typeof renderContext>), executable: false }];
