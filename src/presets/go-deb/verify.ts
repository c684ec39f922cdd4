// go-deb's verify checks, on the built images.
import type { PresetVerifyContext } from '../types.js';

export async function verifyGoDeb(v: PresetVerifyContext): Promise<void> {
  v.report.add('go-deb: checks', 'skip', 'not written yet');
}
