// All artifacts for a set of answers, in a stable order.
import { validateAnswers, type Answers } from '../answers.js';
import { composeRenderers } from './compose.js';
import { renderDocs } from './docs.js';
import { renderDockerfile, renderDockerignore } from './dockerfile.js';
import { shellRenderers } from './shell.js';
import type { Artifact, Renderer } from './types.js';
import { renderWorkflow } from './workflow.js';

const RENDERERS: Renderer[] = [renderDockerfile, renderDockerignore, ...shellRenderers, ...composeRenderers, renderWorkflow, renderDocs];

export function renderAll(answers: Answers): Artifact[] {
  const a = validateAnswers(answers);
  const artifacts = RENDERERS.flatMap((render) => render(a));
  const seen = new Set<string>();
  for (const { path } of artifacts) {
    if (seen.has(path)) throw new Error(`two renderers produce ${path}`);
    seen.add(path);
  }
  return artifacts;
}

export type { Artifact } from './types.js';
