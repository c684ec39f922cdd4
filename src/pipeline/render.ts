// All artifacts for a set of answers, in a stable order.
import { validateAnswers, type Answers } from '../core/answers.js';
import { presetOf } from '../presets/index.js';
import type { Artifact } from '../capabilities/artifact.js';

export function renderAll(answers: Answers): Artifact[] {
  const a = validateAnswers(answers);
  // The preset of the answers renders: PlatformIO's renderers, go-deb's, ...
  const preset = presetOf(a);
  preset.validate(a);
  const artifacts = preset.renderers.flatMap((render) => render(a));
  const seen = new Set<string>();
  for (const { path } of artifacts) {
    if (seen.has(path)) throw new Error(`two renderers produce ${path}`);
    seen.add(path);
  }
  return artifacts;
}

export type { Artifact } from '../capabilities/artifact.js';
