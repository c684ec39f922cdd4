// How a repository that builds compiled Python wheels looks: pyproject.toml / setup.py with
// compiled extensions. A pure-Python package is not one (it needs no manylinux builder).
import { readPythonProject, hasPythonProject } from './read.js';

export function looksLikePythonWheels(root: string): boolean {
  return hasPythonProject(root) && readPythonProject(root).extensions !== null;
}
