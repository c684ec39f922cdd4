// What python-wheels reads from the project folder (src/presets/python-wheels/scan.ts), as the
// scaffold needs it: an AnswersError when there is nothing to read.
import { AnswersError } from '../../core/answers.js';
import { scanPythonProject, type PythonProject } from './scan.js';

export { hasPythonProject, setupPyModules, tomlString, type PythonProject } from './scan.js';

/** Reads pyproject.toml / setup.py in the project folder; an AnswersError when there is neither. */
export function readPythonProject(root: string): PythonProject {
  const p = scanPythonProject(root);
  if (p === null) throw new AnswersError('python-wheels needs a pyproject.toml or setup.py in the project folder', 'preset');
  return p;
}
