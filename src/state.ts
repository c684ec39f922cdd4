// What the tool generated last time, kept in the project so that `update` can do a real 3-way
// merge (base = last generated, ours = on disk, theirs = new rendering), even after the tool's
// own templates changed. Answers and tool version live in .yo-rc.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Yeoman's answers file, and the key (the package name) our answers live under in it. */
export const YO_RC = '.yo-rc.json';
export const STORE_KEY = 'create-pio-docker';

export const STATE_DIR = '.create-pio-docker';
export const BASE_DIR = `${STATE_DIR}/base`;

/** Path (relative to the project) of the last generated copy of an artifact. */
export function basePath(artifactPath: string): string {
  return `${BASE_DIR}/${artifactPath}`;
}

/** The last generated content of an artifact, or null if none was recorded. */
export function readBase(projectDir: string, artifactPath: string): string | null {
  const p = join(projectDir, basePath(artifactPath));
  return existsSync(p) ? readFileSync(p, 'utf8') : null;
}
