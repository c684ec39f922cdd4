import type { Answers } from '../core/answers.js';

/** One generated file: path relative to the project root, exact content, exec bit. */
export interface Artifact {
  path: string;
  content: string;
  executable: boolean;
}

/** A renderer is a pure function of validated answers. */
export type Renderer = (a: Answers) => Artifact[];
