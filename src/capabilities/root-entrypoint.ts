// The shared root-start entrypoint (src/capabilities/templates/entrypoint.sh.ejs) for presets other than PlatformIO:
// started as root by tini, it picks the workspace owner (or HOST_UID/HOST_GID), fixes the ownership
// of the preset's cache volume, restores exec bits in its package folders, and drops privileges.
// PlatformIO renders the same template from its own context (src/presets/platformio/render/shell.ts).
import { renderTemplate, shq, shqAssign } from './template.js';

export interface RootEntrypointOptions {
  toolVersion: string;
  /** The image user the command runs as when no workspace is mounted (its home holds the cache). */
  userName: string;
  home: string;
  /** Where the repository is mounted in the image; its owner is whom the command runs as. */
  workspace: string;
  /** Where this entrypoint is installed in the image (for its header). */
  entrypoint: string;
  /** The cache volume's mount point, and the variable that may move it. */
  cachePath: string;
  cacheEnv: string;
  /** Names the cache in the header (e.g. "Go module and build"). */
  displayName: string;
  /** The build tool's name, for comments only. */
  cli: string;
  /** Folders in the cache whose packages hold executables (none: exec bits are never looked at). */
  executableDirs: readonly string[];
  /** The build entrypoint CMD starts (e.g. /usr/local/bin/go-build), and its own commands. */
  buildEntrypoint: string;
  buildCommands: readonly string[];
  /** What starts it as PID 1, for its header (default: tini). */
  initName?: string;
}

export function renderRootEntrypoint(o: RootEntrypointOptions): string {
  // The template reads these fields of PlatformIO's context; a preset supplies only them.
  const c = {
    toolVersion: o.toolVersion,
    a: { user: { name: o.userName } },
    home: o.home,
    cachePath: o.cachePath,
    inImage: { workspace: o.workspace, entrypoint: o.entrypoint, buildEntrypoint: o.buildEntrypoint },
    tc: { cacheEnv: o.cacheEnv, displayName: o.displayName, cli: o.cli, executableDirs: o.executableDirs },
    buildCommands: o.buildCommands,
    initName: o.initName,
    q: shq,
    qa: shqAssign,
  };
  return renderTemplate('entrypoint.sh', c);
}
