// Every scaffold answer is also a flag. ANSWERS drives argument parsing, `--help`, the prompts and
// the "missing answer" errors, so they cannot drift apart.
import { PRESET_IDS } from '../presets/ids.js';
import { CI_KINDS, DEFAULT_RUNNER_COUNTS, defaultAnswers, OPTIONAL_TOOLS, PLATFORMS, RUNNER_KINDS, SERIAL_MODES, TOOL_IDS, type Answers, type EnvAnswer } from '../answers.js';

export interface FlagSpec {
  name: string;
  short?: string;
  /** Placeholder shown in help; absent for boolean flags. */
  value?: string;
  help: string;
}

/** Answers given on the command line (anything may be missing). */
export interface FlagAnswers {
  preset?: (typeof PRESET_IDS)[number];
  systemPackages?: string[];
  maintainer?: string;
  pythonVersions?: string[];
  envs?: EnvAnswer[];
  projectName?: string;
  baseImage?: string;
  platformioVersion?: string;
  userName?: string;
  uid?: number;
  gid?: number;
  tools?: Answers['tools'];
  runners?: Answers['runners']['kind'];
  devRunners?: number;
  prodRunners?: number;
  runnerLabels?: string[];
  image?: string;
  registry?: string;
  platforms?: Answers['platforms'];
  ci?: Answers['ci'];
  devcontainer?: boolean;
  serial?: Answers['serial'];
  arc?: boolean;
}

/**
 * Every answer, defined once: its flag, help, prompt and how flag text becomes a value. Its check
 * is CHECKS[flag] (src/answers.ts), used for flags, stored answers and at the prompt alike; its
 * default comes from defaultAnswers() and is shown in --help from there.
 */
export interface AnswerSpec extends FlagSpec {
  value: string;
  key: keyof FlagAnswers;
  /** How the prompt asks; absent: never asked (flag or default only). */
  prompt?: { type: 'input' | 'number' | 'list' | 'checkbox'; message: string; choices?: { name: string; value: string }[] };
  /** Flag text -> value; malformed text is a UsageError naming the flag. */
  parse: (raw: string, flag: string) => unknown;
  /** The default, as --help shows it; absent when it depends on the project. */
  shown?: (d: Answers) => string;
}

const text = (raw: string) => raw;
const YES_NO = ['yes', 'no'] as const;
const kinds = (names: Record<string, string>) => Object.entries(names).map(([value, name]) => ({ name, value }));

export const ANSWERS: AnswerSpec[] = [
  { name: 'preset', key: 'preset', value: 'ID', help: `what the repository builds: ${PRESET_IDS.join(', ')} (default: detected from platformio.ini, go.mod, ...; else platformio)`, parse: (raw, flag) => oneOf(flag, raw, PRESET_IDS), prompt: { type: 'list', message: 'What does this repository build?', choices: kinds({ platformio: 'PlatformIO firmware', 'go-deb': 'Go binaries and a .deb package', 'python-wheels': 'manylinux Python wheels' }) } },
  { name: 'envs', key: 'envs', value: 'NAME[:BOARD],...', help: 'envs to build (default: all in platformio.ini, default_envs first)', parse: (raw) => parseEnvsFlag(raw), prompt: { type: 'checkbox', message: 'Envs to build in Docker' } },
  { name: 'base-image', key: 'baseImage', value: 'IMAGE', help: 'base image with Python 3', parse: text, shown: (d) => d.baseImage, prompt: { type: 'input', message: 'Base image (Python 3, Debian bookworm)' } },
  { name: 'platformio-version', key: 'platformioVersion', value: 'VERSION', help: 'PlatformIO version to pin', parse: text, shown: (d) => d.platformioVersion, prompt: { type: 'input', message: 'PlatformIO version' } },
  { name: 'user', key: 'userName', value: 'NAME', help: 'non-root user in the images', parse: text, shown: (d) => d.user.name, prompt: { type: 'input', message: 'Non-root user name in the images' } },
  { name: 'uid', key: 'uid', value: 'N', help: 'default UID of that user (remapped to the host at run time)', parse: (raw, flag) => int(flag, raw), shown: (d) => String(d.user.uid), prompt: { type: 'number', message: 'Its default UID (remapped to the host user at run time)' } },
  { name: 'gid', key: 'gid', value: 'N', help: 'default GID of that user', parse: (raw, flag) => int(flag, raw), shown: (d) => String(d.user.gid), prompt: { type: 'number', message: 'Its default GID' } },
  { name: 'tools', key: 'tools', value: 'LIST', help: `optional tools from apt: ${TOOL_IDS.join(', ')}, or none`, parse: (raw, flag) => (raw === 'none' ? [] : list(raw)).map((t) => oneOf(flag, t, TOOL_IDS)), shown: () => 'none', prompt: { type: 'checkbox', message: 'Optional tools (from apt)', choices: TOOL_IDS.map((t) => ({ name: `${t}: ${OPTIONAL_TOOLS[t].description}`, value: t })) } },
  { name: 'runners', key: 'runners', value: 'KIND', help: `self-hosted CI runners: ${RUNNER_KINDS.join(' or ')}`, parse: (raw, flag) => oneOf(flag, raw, RUNNER_KINDS), shown: (d) => d.runners.kind, prompt: { type: 'list', message: 'Self-hosted CI runners', choices: kinds({ github: 'GitHub Actions', none: 'none' }) } },
  { name: 'dev-runners', key: 'devRunners', value: 'N', help: 'runners in the dev profile', parse: (raw, flag) => int(flag, raw), shown: () => `${DEFAULT_RUNNER_COUNTS.dev} (with --runners github)`, prompt: { type: 'number', message: 'Runners in the dev profile' } },
  { name: 'prod-runners', key: 'prodRunners', value: 'N', help: 'runners in the prod profile', parse: (raw, flag) => int(flag, raw), shown: () => `${DEFAULT_RUNNER_COUNTS.prod} (with --runners github)`, prompt: { type: 'number', message: 'Runners in the prod profile' } },
  { name: 'runner-labels', key: 'runnerLabels', value: 'LIST', help: 'extra labels for the runners', parse: (raw) => list(raw), shown: () => 'none' },
  { name: 'image', key: 'image', value: 'NAME', help: 'image name', parse: text, shown: () => 'PROJECT-pio', prompt: { type: 'input', message: 'Image name' } },
  { name: 'registry', key: 'registry', value: 'HOST[/NS]', help: 'registry to push to, or none', parse: (raw) => (raw === 'none' ? '' : raw), shown: () => 'none', prompt: { type: 'input', message: 'Registry (empty for none), e.g. ghcr.io/acme' } },
  { name: 'platforms', key: 'platforms', value: 'LIST', help: `target platforms: ${PLATFORMS.join(', ')}`, parse: (raw, flag) => list(raw).map((p) => oneOf(flag, p, PLATFORMS)), shown: (d) => d.platforms.join(','), prompt: { type: 'checkbox', message: 'Target platforms', choices: PLATFORMS.map((p) => ({ name: p, value: p })) } },
  { name: 'ci', key: 'ci', value: 'KIND', help: `CI workflow: ${CI_KINDS.join(' or ')}`, parse: (raw, flag) => oneOf(flag, raw, CI_KINDS), shown: (d) => d.ci, prompt: { type: 'list', message: 'CI workflow', choices: kinds({ github: 'GitHub Actions', none: 'none' }) } },
  { name: 'devcontainer', key: 'devcontainer', value: 'yes|no', help: 'write .devcontainer/devcontainer.json (the compose shell service, for VS Code / the devcontainer CLI)', parse: (raw, flag) => oneOf(flag, raw, YES_NO) === 'yes', shown: (d) => (d.devcontainer ? 'yes' : 'no'), prompt: { type: 'list', message: 'Dev container for VS Code (.devcontainer/devcontainer.json)', choices: kinds({ yes: 'yes', no: 'no' }) } },
  { name: 'serial', key: 'serial', value: 'MODE', help: `serial/USB boards in the shell and the dev container: ${SERIAL_MODES.join(', ')} (dev: host /dev with cgroup rules, survives re-enumeration; devices: one device, SERIAL_DEVICE)`, parse: (raw, flag) => oneOf(flag, raw, SERIAL_MODES), shown: (d) => d.serial, prompt: { type: 'list', message: 'Flash and monitor boards from the shell / dev container (serial, USB)', choices: kinds({ none: 'none', dev: 'dev: host /dev, tty and USB majors (survives re-enumeration)', devices: 'devices: one device (SERIAL_DEVICE, default /dev/ttyUSB0)' }) } },
  { name: 'arc', key: 'arc', value: 'yes|no', help: 'also write actions-runner-controller runner scale set values (Kubernetes, arc/) for the runners', parse: (raw, flag) => oneOf(flag, raw, YES_NO) === 'yes', shown: (d) => (d.arc ? 'yes' : 'no') },
  { name: 'system-packages', key: 'systemPackages', value: 'LIST', help: 'go-deb: Debian packages the build needs (e.g. libfuse3-dev), or none', parse: (raw) => (raw === 'none' ? [] : list(raw)), shown: () => 'none', prompt: { type: 'input', message: 'Debian packages the build needs (comma-separated, e.g. libfuse3-dev; empty for none)' } },
  { name: 'maintainer', key: 'maintainer', value: 'NAME <EMAIL>', help: 'go-deb: the .deb Maintainer (default: from debian/control)', parse: text, prompt: { type: 'input', message: 'Maintainer of the .deb (Name <email>)' } },
  { name: 'python-versions', key: 'pythonVersions', value: 'LIST', help: 'python-wheels: CPython versions to build wheels for, 3.9 to 3.14 (default: those requires-python allows)', parse: (raw) => list(raw), prompt: { type: 'input', message: 'CPython versions to build wheels for (comma-separated, 3.9 to 3.14)' } },
  { name: 'project-name', key: 'projectName', value: 'NAME', help: 'project slug for volume and image names', parse: text, shown: () => 'the folder name' },
];

const SHOWN_DEFAULTS = defaultAnswers('PROJECT', []);

/** The answer flags as --help and parseArgs see them, defaults taken from defaultAnswers(). */
export const ANSWER_FLAGS: FlagSpec[] = ANSWERS.map((a) => ({ name: a.name, value: a.value, help: a.shown ? `${a.help} (default: ${a.shown(SHOWN_DEFAULTS)})` : a.help }));

/** The spec of one answer, by flag. */
export function answerSpec(flag: string): AnswerSpec {
  const spec = ANSWERS.find((a) => a.name === flag);
  if (!spec) throw new Error(`no answer --${flag}`);
  return spec;
}


export const SCAFFOLD_SWITCHES: FlagSpec[] = [
  { name: 'yes', short: 'y', help: 'take the default for every answer not given' },
  { name: 'force', help: 'overwrite files in the way (not generated here); replace a symlink itself, never its target' },
];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

function int(flag: string, s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new UsageError(`--${flag} takes a whole number, not "${s}"`);
  return Number(s);
}

function oneOf<T extends string>(flag: string, s: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`--${flag} takes ${allowed.join(' or ')}, not "${s}"`);
  return s as T;
}

/** `esp32dev:esp32dev,uno` -> envs; the board after the colon is optional. */
export function parseEnvsFlag(s: string): EnvAnswer[] {
  const envs = list(s).map((item) => {
    const i = item.lastIndexOf(':');
    const name = (i > 0 ? item.slice(0, i) : item).trim();
    const board = i > 0 ? item.slice(i + 1).trim() || null : null;
    return { name, board, platform: null };
  });
  if (envs.length === 0) throw new UsageError('--envs needs at least one NAME');
  return envs;
}

/** Turns raw string flag values into typed answers; unknown or malformed values are UsageErrors. */
export function flagAnswers(raw: Record<string, string | undefined>): FlagAnswers {
  const out: Record<string, unknown> = {};
  for (const a of ANSWERS) if (raw[a.name] !== undefined) out[a.key] = a.parse(raw[a.name]!, a.name);
  return out as FlagAnswers;
}
