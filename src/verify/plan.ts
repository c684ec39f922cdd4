// What verify builds: the image targets named in the generated compose images file, or else
// every final stage of the Dockerfile.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from '../core/paths.js';
import { readComposeServices, VerifyInputError } from './input.js';

/** Stage names in Dockerfile order (`FROM x AS name`). */
export function dockerfileStages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^\s*FROM\s+\S+(?:\s+--\S+)*\s+AS\s+([A-Za-z0-9_.-]+)\s*$/gim)].map((m) => m[1].toLowerCase());
}

/** The default of a global `ARG NAME=value` before the first FROM. */
export function globalArgDefault(dockerfile: string, name: string): string | null {
  const head = dockerfile.split(/^\s*FROM\s/im)[0];
  const m = head.match(new RegExp(`^\\s*ARG\\s+${name}=(\\S+)\\s*$`, 'm'));
  return m ? m[1] : null;
}

export interface TargetPlan {
  /** Targets to build, in order. */
  targets: string[];
  /** Targets that exist but are not built, with the reason. */
  notBuilt: { target: string; reason: string }[];
  /** Targets the preset's checks need that the Dockerfile lacks (renamed or removed by an edit). */
  missing: string[];
}

/** `preset`: the targets a preset names (src/presets/types.ts), those the Dockerfile has. */
export function planTargets(dir: string, dockerfile: string, only: string[], preset?: readonly string[]): TargetPlan {
  const stages = dockerfileStages(dockerfile);
  const composePath = join(dir, FILES.composeImages);
  let candidates: string[];
  if (preset) {
    candidates = preset.filter((t) => stages.includes(t));
  } else if (existsSync(composePath)) {
    const services = readComposeServices(composePath, FILES.composeImages);
    candidates = [...new Set(Object.values(services).map((s) => s.build?.target).filter((t): t is string => Boolean(t)))];
  } else {
    // Stages used as a base by another stage are built anyway; the leaves are the images.
    candidates = stages.filter((s) => !new RegExp(`^\\s*FROM\\s+${s}(\\s|$)`, 'im').test(dockerfile) || s === 'dev');
  }
  const unknown = only.filter((t) => !stages.includes(t));
  if (unknown.length) throw new VerifyInputError(`--target names stages the Dockerfile does not have: ${unknown.join(', ')} (stages: ${stages.join(', ')})`);
  const targets = only.length ? candidates.filter((t) => only.includes(t)).concat(only.filter((t) => !candidates.includes(t))) : candidates;
  const notBuilt = [
    ...candidates.filter((t) => !targets.includes(t)).map((target) => ({ target, reason: 'not selected by --target' })),
    ...stages.filter((s) => !candidates.includes(s) && !targets.includes(s)).map((target) => ({ target, reason: preset ? `not an image the preset's checks use (they use ${candidates.join(', ')})` : 'intermediate stage (built as part of the others)' })),
  ];
  const missing = preset ? preset.filter((t) => !stages.includes(t)) : [];
  return { targets, notBuilt, missing };
}
