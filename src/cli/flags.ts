// Every scaffold answer is also a flag. ANSWERS drives argument parsing, `--help`, the prompts and
// the "missing answer" errors, so they cannot drift apart. The common rows (and PlatformIO's, whose
// answers are the fields of Answers) are here; each other preset's own rows come from its folder
// (src/presets/<id>/flags.ts) through the registry, which loads no renderer.
import { CI_KINDS, DEFAULT_RUNNER_COUNTS, defaultAnswers, OPTIONAL_TOOLS, PLATFORMS, RUNNER_KINDS, SERIAL_MODES, TOOL_IDS, type Answers, type EnvAnswer } from '../core/answers.js';
import { DEFAULT_PRESET, PRESET_IDS, presetFlags, REGISTRY, type PresetEntry, type PresetId } from '../presets/registry.js';
import { int, list, oneOf, text, UsageError, type AnswerSpec, type FlagSpec } from '../core/rows.js';

export { UsageError, type AnswerSpec, type FlagSpec } from '../core/rows.js';

/** Answers given on the command line (anything may be missing; a preset's own flags: its flags.ts). */
export interface FlagAnswers {
  preset?: PresetId;
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
  [presetOwn: string]: unknown;
}

const YES_NO = ['yes', 'no'] as const;
const kinds = (names: Record<string, string>) => Object.entries(names).map(([value, name]) => ({ name, value }));
const ENTRIES: readonly PresetEntry[] = REGISTRY;

/** The rows every preset shares (--preset itself, and the answers several presets ask). */
const COMMON: AnswerSpec[] = [
  { name: 'preset', key: 'preset', value: 'ID', help: `what the repository builds: ${PRESET_IDS.join(', ')} (default: detected from ${ENTRIES.map((e) => e.detectedBy).join(', ')}; else ${DEFAULT_PRESET})`, parse: (raw, flag) => oneOf(flag, raw, PRESET_IDS), prompt: { type: 'list', message: 'What does this repository build?', choices: ENTRIES.map((e) => ({ name: e.displayName, value: e.id })) } },
  { name: 'base-image', key: 'baseImage', value: 'IMAGE', help: 'base image of the build (the BASE_IMAGE build arg)', parse: text, shown: (d) => d.baseImage, prompt: { type: 'input', message: 'Base image' } },
  { name: 'image', key: 'image', value: 'NAME', help: 'image name', parse: text, shown: () => 'PROJECT-pio', prompt: { type: 'input', message: 'Image name' } },
  { name: 'registry', key: 'registry', value: 'HOST[/NS]', help: 'registry to push to, or none', parse: (raw) => (raw === 'none' ? '' : raw), shown: () => 'none', prompt: { type: 'input', message: 'Registry (empty for none), e.g. ghcr.io/acme' } },
  { name: 'ci', key: 'ci', value: 'KIND', help: `CI workflow: ${CI_KINDS.join(' or ')}`, parse: (raw, flag) => oneOf(flag, raw, CI_KINDS), shown: (d) => d.ci, prompt: { type: 'list', message: 'CI workflow', choices: kinds({ github: 'GitHub Actions', none: 'none' }) } },
  { name: 'project-name', key: 'projectName', value: 'NAME', help: 'project slug for volume and image names: lowercase letters and digits, one . _ or - between them, up to 40', parse: text, shown: () => 'the folder name' },
];

/** PlatformIO's rows: its answers are the fields of Answers, checked by CHECKS (src/answers.ts). */
const PLATFORMIO: AnswerSpec[] = [
  { name: 'envs', key: 'envs', value: 'NAME[:BOARD],...', help: 'envs to build (default: all in platformio.ini, default_envs first)', parse: (raw) => parseEnvsFlag(raw), prompt: { type: 'checkbox', message: 'Envs to build in Docker' } },
  { name: 'platformio-version', key: 'platformioVersion', value: 'VERSION', help: 'PlatformIO version to pin', parse: text, shown: (d) => d.platformioVersion, prompt: { type: 'input', message: 'PlatformIO version' } },
  { name: 'user', key: 'userName', value: 'NAME', help: 'non-root user in the images', parse: text, shown: (d) => d.user.name, prompt: { type: 'input', message: 'Non-root user name in the images' } },
  { name: 'uid', key: 'uid', value: 'N', help: 'default UID of that user (remapped to the host at run time)', parse: (raw, flag) => int(flag, raw), shown: (d) => String(d.user.uid), prompt: { type: 'input', message: 'Its default UID (remapped to the host user at run time)' } },
  { name: 'gid', key: 'gid', value: 'N', help: 'default GID of that user', parse: (raw, flag) => int(flag, raw), shown: (d) => String(d.user.gid), prompt: { type: 'input', message: 'Its default GID' } },
  { name: 'tools', key: 'tools', value: 'LIST', help: `optional tools from apt: ${TOOL_IDS.join(', ')}, or none`, parse: (raw, flag) => (raw === 'none' ? [] : list(raw)).map((t) => oneOf(flag, t, TOOL_IDS)), shown: () => 'none', prompt: { type: 'checkbox', message: 'Optional tools (from apt)', choices: TOOL_IDS.map((t) => ({ name: `${t}: ${OPTIONAL_TOOLS[t].description}`, value: t })) } },
  { name: 'runners', key: 'runners', value: 'KIND', help: `self-hosted CI runners: ${RUNNER_KINDS.join(' or ')}`, parse: (raw, flag) => oneOf(flag, raw, RUNNER_KINDS), shown: (d) => d.runners.kind, prompt: { type: 'list', message: 'Self-hosted CI runners', choices: kinds({ github: 'GitHub Actions', none: 'none' }) } },
  { name: 'dev-runners', key: 'devRunners', value: 'N', help: 'runners in the dev profile', parse: (raw, flag) => int(flag, raw), shown: () => `${DEFAULT_RUNNER_COUNTS.dev} (with --runners github)`, prompt: { type: 'input', message: 'Runners in the dev profile' } },
  { name: 'prod-runners', key: 'prodRunners', value: 'N', help: 'runners in the prod profile', parse: (raw, flag) => int(flag, raw), shown: () => `${DEFAULT_RUNNER_COUNTS.prod} (with --runners github)`, prompt: { type: 'input', message: 'Runners in the prod profile' } },
  { name: 'runner-labels', key: 'runnerLabels', value: 'LIST', help: 'extra labels for the runners', parse: (raw) => list(raw), shown: () => 'none' },
  { name: 'platforms', key: 'platforms', value: 'LIST', help: `target platforms: ${PLATFORMS.join(', ')}`, parse: (raw, flag) => list(raw).map((p) => oneOf(flag, p, PLATFORMS)), shown: (d) => d.platforms.join(','), prompt: { type: 'checkbox', message: 'Target platforms', choices: PLATFORMS.map((p) => ({ name: p, value: p })) } },
  { name: 'devcontainer', key: 'devcontainer', value: 'yes|no', help: 'write .devcontainer/devcontainer.json (the compose shell service, for VS Code / the devcontainer CLI)', parse: (raw, flag) => oneOf(flag, raw, YES_NO) === 'yes', shown: (d) => (d.devcontainer ? 'yes' : 'no'), prompt: { type: 'list', message: 'Dev container for VS Code (.devcontainer/devcontainer.json)', choices: kinds({ yes: 'yes', no: 'no' }) } },
  { name: 'serial', key: 'serial', value: 'MODE', help: `serial/USB boards in the shell and the dev container: ${SERIAL_MODES.join(', ')} (dev: host /dev with cgroup rules, survives re-enumeration; devices: one device, SERIAL_DEVICE)`, parse: (raw, flag) => oneOf(flag, raw, SERIAL_MODES), shown: (d) => d.serial, prompt: { type: 'list', message: 'Flash and monitor boards from the shell / dev container (serial, USB)', choices: kinds({ none: 'none', dev: 'dev: host /dev, tty and USB majors (survives re-enumeration)', devices: 'devices: one device (SERIAL_DEVICE, default /dev/ttyUSB0)' }) } },
  { name: 'arc', key: 'arc', value: 'yes|no', help: 'also write actions-runner-controller runner scale set values (Kubernetes, arc/) for the runners', parse: (raw, flag) => oneOf(flag, raw, YES_NO) === 'yes', shown: (d) => (d.arc ? 'yes' : 'no') },
];

/** Every answer, defined once: the common rows, PlatformIO's, then each preset's own (registry order). */
export const ANSWERS: AnswerSpec[] = [...COMMON, ...PLATFORMIO, ...ENTRIES.flatMap((e) => e.rows)];

/** The presets that take an answer (ask it, or read its flag). */
export const presetsTaking = (flag: string): PresetEntry[] => (COMMON.some((r) => r.name === flag) ? [...ENTRIES] : ENTRIES.filter((e) => presetFlags(e).includes(flag)));

// PlatformIO's defaults: the table's own `shown`; another preset's differ where its registry line says.
const SHOWN_DEFAULTS = defaultAnswers('PROJECT', []);

/** The help of a row with its default, per preset when they differ (e.g. --base-image). */
function helpOf(a: AnswerSpec): string {
  const takers = presetsTaking(a.name);
  const shown = takers.map((e) => ({ id: e.id, value: e.shown?.[a.name] ?? a.shown?.(SHOWN_DEFAULTS) })).filter((x) => x.value !== undefined);
  if (shown.length === 0) return a.help;
  const same = shown.length === takers.length && shown.every((x) => x.value === shown[0].value);
  return `${a.help} (default: ${same ? shown[0].value : shown.map((x) => `${x.id}: ${x.value}`).join('; ')})`;
}

/** The answer flags as --help and parseArgs see them, defaults taken from defaultAnswers() and the registry. */
export const ANSWER_FLAGS: FlagSpec[] = ANSWERS.map((a) => ({ name: a.name, value: a.value, help: helpOf(a) }));

/** --help's lines for the answers: the common ones and `switches`, then one group per preset with the answers only it takes. */
export function answerHelpLines(line: (f: FlagSpec) => string, switches: FlagSpec[] = []): string[] {
  const byName = new Map(ANSWER_FLAGS.map((f) => [f.name, f]));
  const common = COMMON.map((r) => line(byName.get(r.name)!));
  const own = ENTRIES.flatMap((e) => {
    const rows = ANSWERS.filter((r) => !COMMON.includes(r) && presetFlags(e).includes(r.name));
    return rows.length ? [`  ${e.displayName} (--preset ${e.id}):`, ...rows.map((r) => line(byName.get(r.name)!))] : [];
  });
  return [...common, ...switches.map(line), ...own];
}

/** --help's notes under the verify options, each preset's (registry) prefixed with its id. */
export const verifyHelpLines = (): string[] => ENTRIES.flatMap((e) => (e.verifyHelp ?? []).map((l) => `  ${e.id}: ${l}`));

/** The flags given that a preset does not take (e.g. --platformio-version for go-deb), in table order. */
export function flagsNotTaken(flags: FlagAnswers, id: string): AnswerSpec[] {
  return ANSWERS.filter((a) => flags[a.key] !== undefined && !presetsTaking(a.name).some((e) => e.id === id));
}

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
