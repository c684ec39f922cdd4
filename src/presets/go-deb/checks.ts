// The names of go-deb's verify checks (src/presets/go-deb/verify.ts), in report order.
import type { PresetCheck } from '../types.js';

export const CHECKS: readonly PresetCheck[] = [];
