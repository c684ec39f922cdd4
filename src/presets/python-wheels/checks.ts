// The names of python-wheels's verify checks (src/presets/python-wheels/verify.ts), in report order.
import type { PresetCheck } from '../types.js';

export const CHECKS: readonly PresetCheck[] = [];
