// How a repository that builds compiled Python wheels looks (the python-wheels preset is not
// implemented yet: detecting it lets the tool say so instead of asking for platformio.ini).
import { inspectPath } from '../../pipeline/apply.js';

const read = (root: string, path: string): string | null => {
  const s = inspectPath(root, path);
  return s.kind === 'file' ? s.content : null;
};

/** pyproject.toml or setup.py that declares compiled extensions (setuptools, scikit-build, meson, maturin). */
export function looksLikePythonWheels(root: string): boolean {
  const setup = read(root, 'setup.py');
  if (setup !== null && /\b(Extension|ext_modules|Pybind11Extension|cythonize)\b/.test(setup)) return true;
  const pyproject = read(root, 'pyproject.toml');
  return pyproject !== null && /(scikit[-_]build|mesonpy|meson-python|maturin|ext-modules|\[tool\.setuptools\.ext-modules\]|cython)/i.test(pyproject);
}
