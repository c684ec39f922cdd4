// How a folder that builds compiled Python wheels looks: pyproject.toml / setup.py with compiled
// extensions. A pure-Python package is not one (it needs no manylinux builder).
import { scanPythonProject } from './scan.js';

export function looksLikePythonWheels(root: string): boolean {
  return (scanPythonProject(root)?.extensions ?? null) !== null;
}
