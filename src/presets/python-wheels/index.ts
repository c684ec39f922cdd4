// The python-wheels preset: manylinux wheels of a package with compiled extensions, repaired with
// auditwheel and tested in clean containers.
import { projectFolder } from '../../core/repo.js';
import type { Preset } from '../types.js';
import { CHECKS } from './checks.js';
import { pythonWheelsOf } from './answers.js';
import { askPythonWheels } from './ask.js';
import { looksLikePythonWheels } from './detect.js';
import { pythonWheelsFlags } from './flags.js';
import { readPythonProject } from './read.js';
import { PYTHON_WHEELS_FILES, pythonWheelsNextSteps, pythonWheelsRenderers } from './render.js';

export const pythonWheels: Preset = {
  id: pythonWheelsFlags.id,
  displayName: pythonWheelsFlags.displayName,
  // pyproject.toml / setup.py in the project folder (the repository root, or the one subfolder that holds it).
  detect: (root, project) => looksLikePythonWheels(projectFolder(root, project.projectDir)),
  read: (root, project) => ({ projectDir: project.projectDir, ...readPythonProject(projectFolder(root, project.projectDir)) }),
  questions: pythonWheelsFlags.questions,
  ask: askPythonWheels,
  validate: (a) => void pythonWheelsOf(a),
  renderers: pythonWheelsRenderers,
  paths: Object.values(PYTHON_WHEELS_FILES),
  nextSteps: pythonWheelsNextSteps,
  // The builder image is what users run; `compile` repeats the same build inside BuildKit.
  targets: ['builder'],
  buildSettings: ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST'],
  checks: CHECKS,
  verify: async (v) => (await import('./verify.js')).verifyPythonWheels(v),
};
