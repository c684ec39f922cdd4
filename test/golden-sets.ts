// Answer sets whose full output is kept under test/golden/NAME/ and compared byte for byte.
import { defaultAnswers, type Answers } from '../src/answers.js';

const twoEnvs = [
  { name: 'uno', board: 'uno', platform: 'atmelavr' },
  { name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' },
];

export const GOLDEN_SETS: Record<string, Answers> = {
  minimal: { ...defaultAnswers('blinky', [twoEnvs[0]]), runners: { kind: 'none', dev: 0, prod: 0, labels: [] }, ci: 'none' },
  default: defaultAnswers('demo-fw', twoEnvs),
  full: {
    ...defaultAnswers('Sensor Hub', [...twoEnvs, { name: 'esp32 debug', board: 'esp32dev', platform: 'espressif32' }]),
    tools: ['cppcheck', 'clang-format'],
    user: { name: 'fw', uid: 1001, gid: 1002 },
    runners: { kind: 'github', dev: 0, prod: 3, labels: ['hil', 'esp32'] },
    image: { name: 'acme/sensor-hub-build', registry: 'ghcr.io' },
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  // More envs than get a compose service and a CI job each: default env, `build -e`, `all`.
  many: {
    ...defaultAnswers('fleet', Array.from({ length: 24 }, (_, i) => ({ name: i === 23 ? 'bench rig' : `node${i}`, board: 'esp32dev', platform: i === 22 ? 'native' : 'espressif32' }))),
    runners: { kind: 'none', dev: 0, prod: 0, labels: [] },
  },
};
