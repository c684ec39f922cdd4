// What the command line knows of the python-wheels preset: its rows of the one answer table (flag,
// help, prompt, parse, check) and its defaults of the common answers as --help shows them. Read by
// flag parsing through the registry, so it imports nothing that renders.
import { list, type AnswerSpec } from '../../core/rows.js';
import { quoted } from '../../core/safety/text.js';
import type { FlagAnswers } from '../../cli/flags.js';
import { VERSIONS } from '../../core/versions.js';
import type { PresetEntry } from '../types.js';
import { looksLikePythonWheels } from './detect.js';

/** The flags python-wheels reads beyond the common ones. */
export interface PythonWheelsFlagAnswers extends FlagAnswers {
  pythonVersions?: string[];
}

/** The pinned manylinux_2_28 image: its package manager is dnf. */
export const defaultManylinuxImage = () => `quay.io/pypa/manylinux_2_28_x86_64:${VERSIONS.manylinuxTag}`;

const rows: AnswerSpec[] = [
  // CPython minor versions the manylinux image has /opt/python/cpXY-cpXY for.
  { name: 'python-versions', key: 'pythonVersions', value: 'LIST', help: 'CPython versions to build wheels for, 3.9 to 3.14 (default: those requires-python allows)', parse: (raw) => list(raw), prompt: { type: 'input', message: 'CPython versions to build wheels for (comma-separated, 3.9 to 3.14)' }, check: (v: string[]) => (v.length === 0 ? 'at least one CPython version is needed' : v.map((x) => (/^3\.(9|1[0-4])$/.test(x) ? null : `unsupported CPython version ${quoted(x)}: 3.9 to 3.14, e.g. 3.12`)).find((m) => m) ?? (new Set(v).size !== v.length ? 'a CPython version is listed twice' : null)) },
];

export const pythonWheelsFlags = {
  id: 'python-wheels' as const,
  displayName: 'manylinux Python wheels',
  detectedBy: 'pyproject.toml or setup.py with a compiled extension',
  isProject: (dir: string) => looksLikePythonWheels(dir),
  kind: 'a Python package with compiled extensions',
  questions: ['python-versions', 'base-image', 'image', 'registry', 'ci'],
  rows,
  shown: { 'base-image': defaultManylinuxImage(), image: 'PROJECT-wheels' },
  load: async () => (await import('./index.js')).pythonWheels,
} satisfies PresetEntry;
