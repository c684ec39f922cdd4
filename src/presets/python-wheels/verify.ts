// python-wheels's verify checks, on the built images.
import type { PresetVerifyContext } from '../types.js';

export async function verifyPythonWheels(v: PresetVerifyContext): Promise<void> {
  v.report.add('python-wheels: checks', 'skip', 'not written yet');
}
