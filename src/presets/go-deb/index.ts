// The go-deb preset: a Go module built into binaries and a .deb in a builder image.
import { projectFolder } from '../../core/repo.js';
import type { Preset } from '../types.js';
import { CHECKS } from './checks.js';
import { goDebOf } from './answers.js';
import { askGoDeb } from './ask.js';
import { goDebFlags } from './flags.js';
import { hasGoMod, readGoProject } from './read.js';
import { GO_DEB_FILES, goDebNextSteps, goDebRenderers } from './render.js';

export const goDeb: Preset = {
  id: goDebFlags.id,
  displayName: goDebFlags.displayName,
  // go.mod in the project folder (the repository root, or the one subfolder that holds it).
  detect: (root, project) => hasGoMod(projectFolder(root, project.projectDir)),
  read: (root, project) => ({ projectDir: project.projectDir, ...readGoProject(projectFolder(root, project.projectDir)) }),
  questions: goDebFlags.questions,
  ask: askGoDeb,
  validate: (a) => void goDebOf(a),
  renderers: goDebRenderers,
  paths: Object.values(GO_DEB_FILES),
  nextSteps: goDebNextSteps,
  // The builder is the image users run; compile/artifacts would download modules inside BuildKit.
  targets: ['builder'],
  buildSettings: ['GOPROXY', 'GOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'GONOSUMDB', 'GOINSECURE', 'GOFLAGS'],
  checks: CHECKS,
  verify: async (v) => (await import('./verify.js')).verifyGoDeb(v),
};
