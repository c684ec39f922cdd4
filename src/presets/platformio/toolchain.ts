// PlatformIO's toolchain record: everything toolchain-specific its renderers need. The preset itself
// (questions, readers, renderers behind the registry) is src/presets/platformio/.
import type { Answers } from '../../core/answers.js';

export interface Toolchain {
  id: string;
  displayName: string;
  /** Cache directory under the user's home; lives in a named volume. */
  cacheDir: string;
  /** Env var the tool reads to find its cache. */
  cacheEnv: string;
  /** Virtualenv (outside the cache volume) the tool is installed into. */
  venv: string;
  /** apt packages needed only to install the tool (tools stage). */
  buildApt: string[];
  /** apt packages the tool needs at run time (dev stage). */
  runtimeApt: string[];
  /** pip requirement installed into the venv. */
  pipRequirement(a: Answers): string;
  /** Command printing the tool version (healthcheck, smoke tests). */
  versionCommand: string;
  /** Executable run by the build entrypoint. */
  cli: string;
  /** Build output folder relative to the project, one subfolder per env. */
  buildDir: string;
  /** Firmware artifacts copied by `build --output DIR`. */
  artifactGlobs: string[];
  /** Folders inside the cache that hold toolchain executables. */
  executableDirs: string[];
  /** apt packages for envs built for the host (PlatformIO's `native` platform): a C/C++ compiler. */
  nativeApt: string[];
  /** The tool's top-level commands (the builder passes these to it; other programs run as they are). */
  commands: string[];
}

export const platformio: Toolchain = {
  id: 'platformio',
  displayName: 'PlatformIO',
  cacheDir: '.platformio',
  cacheEnv: 'PLATFORMIO_CORE_DIR',
  venv: '/opt/platformio',
  buildApt: ['ca-certificates'],
  // tini: PID 1 (signals, zombies); git: library dependencies from git URLs; libusb: many upload tools; xz/bzip2/unzip: package archives.
  runtimeApt: ['tini', 'ca-certificates', 'git', 'libusb-1.0-0', 'xz-utils', 'bzip2', 'unzip', 'curl'],
  pipRequirement: (a) => `platformio==${a.platformioVersion}`,
  versionCommand: 'pio --version',
  cli: 'pio',
  buildDir: '.pio/build',
  artifactGlobs: ['firmware.bin', 'firmware.elf', 'firmware.hex', 'firmware.uf2', 'bootloader.bin', 'partitions.bin', 'spiffs.bin', 'littlefs.bin'],
  executableDirs: ['packages', 'tools'],
  // libc6-dev explicitly: gcc only recommends it, and recommends are not installed.
  nativeApt: ['gcc', 'g++', 'libc6-dev', 'make'],
  commands: ['access', 'account', 'boards', 'check', 'ci', 'debug', 'device', 'home', 'init', 'lib', 'org', 'pkg', 'platform', 'project', 'remote', 'run', 'settings', 'system', 'team', 'test', 'upgrade'],
};

/** The PlatformIO toolchain record; only PlatformIO's renderers (src/presets/platformio/) use it. */
export function toolchainFor(a: Answers): Toolchain {
  if (a.toolchain !== 'platformio') throw new Error(`PlatformIO renderers called for the ${a.toolchain} preset`);
  return platformio;
}
