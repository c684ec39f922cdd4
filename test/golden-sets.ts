// Answer sets whose full output is kept under test/golden/NAME/ and compared byte for byte.
import { defaultAnswers, type Answers } from '../src/core/answers.js';
import { VERSIONS } from '../src/core/versions.js';

const twoEnvs = [
  { name: 'uno', board: 'uno', platform: 'atmelavr' },
  { name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' },
];

export const GOLDEN_SETS: Record<string, Answers> = {
  minimal: { ...defaultAnswers('blinky', [twoEnvs[0]]), runners: { kind: 'none', dev: 0, prod: 0, labels: [] }, ci: 'none' },
  default: defaultAnswers('demo-fw', twoEnvs),
  // Self-hosted runners in both groups, and their Kubernetes (actions-runner-controller) values.
  runners: { ...defaultAnswers('demo-fw', twoEnvs), runners: { kind: 'github', dev: 1, prod: 2, labels: [] }, arc: true },
  full: {
    ...defaultAnswers('Sensor Hub', [...twoEnvs, { name: 'esp32 debug', board: 'esp32dev', platform: 'espressif32' }]),
    tools: ['cppcheck', 'clang-format'],
    user: { name: 'fw', uid: 1001, gid: 1002 },
    runners: { kind: 'github', dev: 0, prod: 3, labels: ['hil', 'esp32'] },
    image: { name: 'acme/sensor-hub-build', registry: 'ghcr.io' },
    platforms: ['linux/amd64', 'linux/arm64'],
    serial: 'dev',
  },
  // More envs than get a compose service and a CI job each: default env, `build -e`, `all`.
  many: {
    ...defaultAnswers('fleet', Array.from({ length: 24 }, (_, i) => ({ name: i === 23 ? 'bench rig' : `node${i}`, board: 'esp32dev', platform: i === 22 ? 'native' : 'espressif32' }))),
    runners: { kind: 'none', dev: 0, prod: 0, labels: [] },
  },
};

// Sets of the other presets (src/presets/), kept under test/golden/<name>/ too. A new preset adds
// its entries here; PlatformIO's sets above stay as they are.
export const PRESET_GOLDEN_SETS: Record<string, Answers> = {
  // test/fixtures/presets/go-deb as the scaffold reads it: two commands, cgo, debian/control.
  'go-deb': {
    ...defaultAnswers('hellofs', []),
    toolchain: 'go-deb',
    baseImage: 'golang:1.19-bookworm',
    image: { name: 'hellofs-build', registry: '' },
    devcontainer: false,
    presetAnswers: {
      module: 'example.com/hellofs',
      goVersion: '1.19',
      commands: [
        { dir: 'cmd/a', name: 'a' },
        { dir: 'cmd/b', name: 'b' },
      ],
      cgo: true,
      systemPackages: ['libfuse3-dev'],
      deb: { name: 'hellofs', maintainer: 'Hello Maintainers <hello@example.org>', depends: ['fuse3 (>= 3.2)'], description: 'example FUSE filesystem in Go' },
    },
  },
  // test/fixtures/presets/python-wheels as the scaffold reads it: a setuptools C extension, requires-python >=3.10.
  'python-wheels': {
    ...defaultAnswers('fastsum', []),
    toolchain: 'python-wheels',
    baseImage: `quay.io/pypa/manylinux_2_28_x86_64:${VERSIONS.manylinuxTag}`,
    image: { name: 'fastsum-wheels', registry: '' },
    devcontainer: false,
    presetAnswers: {
      name: 'fastsum',
      requiresPython: '>=3.10',
      buildBackend: 'setuptools.build_meta',
      extensions: 'setuptools',
      imports: ['fastsum._core'],
      pythonVersions: ['3.10', '3.11', '3.12', '3.13', '3.14'],
    },
  },
};
