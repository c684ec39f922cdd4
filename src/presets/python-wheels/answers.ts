// python-wheels' own answers (Answers.presetAnswers): what was read from pyproject.toml / setup.py
// and what was asked. Stored in the state file, so rendering needs nothing but the answers.
import { AnswersError, CHECKS, type Answers } from '../../core/answers.js';

export interface PythonWheelsAnswers {
  /** The distribution name ([project] name), as in wheel file names after normalising. */
  name: string;
  requiresPython: string | null;
  buildBackend: string | null;
  extensions: 'setuptools' | 'cmake';
  /** Modules the test step imports in a clean container: the extension modules, else the package. */
  imports: string[];
  /** CPython minor versions to build for (asked; default: what requires-python allows). */
  pythonVersions: string[];
}

const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const ONE_LINE = /^[^\u0000-\u001f\u007f-\u009f'"`$\\]{1,200}$/;

const fail = (what: string, flag = 'preset'): never => {
  throw new AnswersError(`python-wheels: ${what}`, flag);
};

/** The python-wheels answers of validated common answers; throws AnswersError when anything is off. */
export function pythonWheelsOf(a: Answers): PythonWheelsAnswers {
  const p = a.presetAnswers as Partial<PythonWheelsAnswers> | undefined;
  if (!p || typeof p !== 'object') return fail('its answers are missing (scaffold again)');
  if (typeof p.name !== 'string' || !NAME.test(p.name)) fail(`invalid project name ${JSON.stringify(p.name)} in pyproject.toml ([project] name)`);
  for (const k of ['requiresPython', 'buildBackend'] as const) {
    if (p[k] !== null && (typeof p[k] !== 'string' || !ONE_LINE.test(p[k]!))) fail(`invalid ${k} ${JSON.stringify(p[k])}`);
  }
  if (p.extensions !== 'setuptools' && p.extensions !== 'cmake') fail('no compiled extension found (setup.py ext_modules, [tool.setuptools] ext-modules or [tool.scikit-build])');
  if (!Array.isArray(p.imports) || p.imports.length === 0 || p.imports.some((m) => typeof m !== 'string' || !MODULE.test(m))) fail(`invalid modules to import ${JSON.stringify(p.imports)}`);
  if (!Array.isArray(p.pythonVersions) || p.pythonVersions.some((v) => typeof v !== 'string')) fail('python versions should be a list', 'python-versions');
  const v = CHECKS['python-versions'](p.pythonVersions!);
  if (v) fail(v, 'python-versions');
  return p as PythonWheelsAnswers;
}
