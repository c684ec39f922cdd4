// .devcontainer/devcontainer.json: the editor opens the compose `shell` service, so the terminal,
// CI and the editor use one image (dev), one workspace mount and one cache volume, and the serial
// settings of that service. Written as data: JSON, keys in a fixed order, a trailing newline.
import { FILES } from '../../../core/paths.js';
import { renderContext, type RenderContext } from './context.js';
import type { Renderer } from '../../../capabilities/artifact.js';

/** The compose service the dev container is: the interactive shell in the dev image. */
export const DEVCONTAINER_SERVICE = 'shell';
/** PIO Home's port (`pio home`), forwarded to the host. */
export const PIO_HOME_PORT = 8008;
/** PlatformIO IDE, and the C/C++ extension it relies on for IntelliSense and debugging. */
export const DEVCONTAINER_EXTENSIONS = ['platformio.platformio-ide', 'ms-vscode.cpptools'];

export function devcontainerConfig(c: RenderContext): Record<string, unknown> {
  return {
    name: `${c.a.projectName} (${c.tc.displayName})`,
    // Relative to this file: the same service `docker compose run --rm shell` starts.
    dockerComposeFile: [`../${c.files.composeBuild}`],
    service: DEVCONTAINER_SERVICE,
    // The service has a profile: named here, compose starts it and nothing else.
    runServices: [DEVCONTAINER_SERVICE],
    workspaceFolder: c.workdir,
    // Keep the image's tini + entrypoint: it starts as root, fixes the cache volume and drops to the
    // workspace owner (the tooling would otherwise replace the entrypoint with its own sleep loop).
    overrideCommand: false,
    init: true,
    // The editor's processes run as the image user, renumbered by the tooling to the local user's
    // uid:gid (Linux): the same ids the entrypoint picks from the workspace owner.
    remoteUser: c.a.user.name,
    updateRemoteUserUID: true,
    forwardPorts: [PIO_HOME_PORT],
    portsAttributes: { [String(PIO_HOME_PORT)]: { label: 'PIO Home', onAutoForward: 'silent' } },
    customizations: {
      vscode: {
        extensions: DEVCONTAINER_EXTENSIONS,
        // The image's PlatformIO (on PATH), not a second copy installed by the extension.
        settings: { 'platformio-ide.useBuiltinPIOCore': false },
      },
    },
  };
}

export const renderDevcontainer: Renderer = (a) => {
  if (!a.devcontainer) return [];
  return [{ path: FILES.devcontainer, content: `${JSON.stringify(devcontainerConfig(renderContext(a)), null, 2)}\n`, executable: false }];
};
