// The names of go-deb's verify checks (src/presets/go-deb/verify.ts), in report order. Names are
// fixed (the commands and files they cover are in each check's detail), so `--json` readers can
// rely on them.
import type { PresetCheck } from '../types.js';

export const GO_DEB_CHECKS = {
  help: 'help: works without mounts',
  built: 'binaries: built',
  run: 'binaries: run',
  owner: 'output: owned by the checkout owner',
  debInfo: 'deb: dpkg-deb --info',
  debInstall: 'deb: installs in a clean container',
  cache: 'cache: second build downloads no Go module',
  stop: 'stop: docker stop ends the running command at once (exit 143)',
} as const;

export const CHECKS: readonly PresetCheck[] = Object.values(GO_DEB_CHECKS).map((name) => ({ name }));
