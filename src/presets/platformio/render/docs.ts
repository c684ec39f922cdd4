import { FILES } from '../../../core/paths.js';
import { renderContext } from './context.js';
import { mdCell, renderTemplate, shq } from './template.js';
import type { Renderer } from '../../../capabilities/artifact.js';

/**
 * DOCKER.md; `c.q` shell-quotes a word in the commands it shows (env names may hold spaces), `c.md`
 * escapes a table cell's text (a `|` in a board name must not break the env table).
 */
export const renderDocs: Renderer = (a) => [{ path: FILES.docs, content: renderTemplate('DOCKER.md', { ...renderContext(a), q: shq, md: mdCell } as ReturnType<typeof renderContext>), executable: false }];
