// The python-wheels preset: manylinux wheels of a package with compiled extensions, repaired with
// auditwheel and tested in clean containers.
import type { Preset } from '../types.js';
import { CHECKS } from './checks.js';
import { pythonWheelsOf } from './answers.js';
import { askPythonWheels } from './ask.js';
import { looksLikePythonWheels } from './detect.js';
import { readPythonProject } from './read.js';
import { PYTHON_WHEELS_FILES, pythonWheelsNextSteps, pythonWheelsRenderers } from './render.js';

export const pythonWheels: Preset = {
  id: 'python-wheels',
  displayName: 'manylinux Python wheels',
  detect: (root) => looksLikePythonWheels(root),
  read: (root) => ({ ...readPythonProject(root) }),
  questions: ['python-versions', 'base-image', 'image', 'registry', 'ci'],
  ask: askPythonWheels,
  validate: (a) => void pythonWheelsOf(a),
  renderers: pythonWheelsRenderers,
  paths: Object.values(PYTHON_WHEELS_FILES),
  nextSteps: pythonWheelsNextSteps,
  checks: CHECKS,
  verify: async (v) => (await import('./verify.js')).verifyPythonWheels(v),
};
