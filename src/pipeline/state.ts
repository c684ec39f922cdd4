// The one state file: `.create-pio-docker.json` at the project root. It holds the answers, the
// tool version that wrote it, the envs the user chose NOT to build, and what was generated last
// (a hash per file, and the contents packed for the next tool upgrade: with the same tool version
// the merge base is re-rendered from the answers instead, so nothing in the repo can steer it).
// Read and validated here only; every error is one line that says what to do.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AnswersError, validateAnswers, type Answers, type EnvAnswer } from '../core/answers.js';
import { FILES, STATE_FILE, TOOL_VERSION } from '../core/paths.js';
import { PRESET_PATHS, presetById } from '../presets/index.js';
import { renderAll, type Artifact } from './render.js';
import { printableLine } from '../core/safety/text.js';
import { inspectPath } from './apply.js';
import { CpdError, EXIT } from '../core/errors.js';

export { STATE_FILE };
/** Where 0.1 kept its state; read once to carry a project over, then removed. */
export const LEGACY = { yoRc: '.yo-rc.json', key: 'create-pio-docker', baseDir: '.create-pio-docker/base' } as const;

/** Every path any version of the tool generates: nothing else is ever deleted or read as a base. */
export const KNOWN_PATHS: ReadonlySet<string> = new Set([...Object.values(FILES), ...PRESET_PATHS]);

const FORMAT = 1;

export interface State {
  format: typeof FORMAT;
  toolVersion: string;
  answers: Answers;
  /** Envs platformio.ini defines that the user chose not to build: `update` leaves them out. */
  deselectedEnvs: string[];
  /** path -> sha256 of what was generated last, and the same contents packed (deflate, base64). */
  generated: { sha256: Record<string, string>; packed: string };
}

/** The state as read: the base to merge against (null: none can be trusted, with why). */
export interface LoadedState {
  state: State;
  /** The raw text, to tell whether writing it again changes a byte. */
  text: string;
  base: Map<string, string> | null;
  baseProblem: string | null;
  /** Read from 0.1's .yo-rc.json and base folder: those get cleaned up by the next write. */
  legacy: { yoRc: string; baseFiles: Map<string, string> } | null;
}

export class StateError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function pack(files: Map<string, string>): string {
  const obj = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
  return deflateRawSync(Buffer.from(JSON.stringify(obj), 'utf8'), { level: 9 }).toString('base64');
}

const MAX_UNPACKED = 8 * 1024 * 1024;

function unpack(packed: string, sums: Record<string, string>): Map<string, string> {
  const raw = inflateRawSync(Buffer.from(packed, 'base64'), { maxOutputLength: MAX_UNPACKED });
  const obj = JSON.parse(raw.toString('utf8')) as unknown;
  if (!isRecord(obj)) throw new Error('not an object');
  const out = new Map<string, string>();
  for (const [path, content] of Object.entries(obj)) {
    if (!KNOWN_PATHS.has(path) || typeof content !== 'string') throw new Error(`unexpected entry ${printableLine(path)}`);
    if (sums[path] !== sha256(content)) throw new Error(`${path} does not match its hash`);
    out.set(path, content);
  }
  if (Object.keys(sums).some((p) => !out.has(p))) throw new Error('a hashed file is missing');
  return out;
}

/** The state to write after generating `artifacts`. Deterministic: same inputs, same bytes. */
export function stateText(answers: Answers, deselectedEnvs: string[], artifacts: Artifact[]): string {
  const files = new Map(artifacts.map((a) => [a.path, a.content]));
  const state: State = {
    format: FORMAT,
    toolVersion: TOOL_VERSION,
    answers,
    deselectedEnvs: [...deselectedEnvs],
    generated: { sha256: Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, c]) => [p, sha256(c)])), packed: pack(files) },
  };
  return `${JSON.stringify(state, null, 2)}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Structural check of stored answers (types), then the same validation as flags get. */
export function checkAnswers(v: unknown, where: string): Answers {
  const bad = (field: string, want: string): never => {
    throw new StateError(`${where}: answers.${field} should be ${want}; fix or delete the file and scaffold again`);
  };
  if (!isRecord(v)) bad('', 'an object');
  // Answers stored before presets (or without the field): PlatformIO.
  const a: Record<string, unknown> = { toolchain: 'platformio', ...(v as Record<string, unknown>) };
  const str = (k: string) => typeof a[k] === 'string' || bad(k, 'a string');
  if (a.presetAnswers !== undefined && !isRecord(a.presetAnswers)) bad('presetAnswers', 'an object');
  for (const k of ['toolchain', 'projectName', 'baseImage', 'platformioVersion', 'ci']) str(k);
  if (!Array.isArray(a.envs)) bad('envs', 'a list');
  (a.envs as unknown[]).forEach((e, i) => {
    if (!isRecord(e) || typeof e.name !== 'string') bad(`envs[${i}].name`, 'a string');
    for (const k of ['board', 'platform'] as const) if ((e as Record<string, unknown>)[k] !== null && typeof (e as Record<string, unknown>)[k] !== 'string') bad(`envs[${i}].${k}`, 'a string or null');
  });
  const user = a.user;
  if (!isRecord(user) || typeof user.name !== 'string' || typeof user.uid !== 'number' || typeof user.gid !== 'number') bad('user', '{name, uid, gid}');
  if (!Array.isArray(a.tools) || a.tools.some((t) => typeof t !== 'string')) bad('tools', 'a list of names');
  const r = a.runners;
  if (!isRecord(r) || typeof r.kind !== 'string' || typeof r.dev !== 'number' || typeof r.prod !== 'number' || !Array.isArray(r.labels) || r.labels.some((l) => typeof l !== 'string')) bad('runners', '{kind, dev, prod, labels}');
  const img = a.image;
  if (!isRecord(img) || typeof img.name !== 'string' || typeof img.registry !== 'string') bad('image', '{name, registry}');
  if (!Array.isArray(a.platforms) || a.platforms.some((p) => typeof p !== 'string')) bad('platforms', 'a list');
  if (a.projectDir !== undefined && typeof a.projectDir !== 'string') bad('projectDir', 'a string');
  try {
    const envs = (a.envs as EnvAnswer[]).map((e) => ({ name: e.name, board: e.board ?? null, platform: e.platform ?? null }));
    // Answers stored before projectDir existed: the project was the root.
    // Answers stored before the dev container and serial answers existed: their defaults.
    const added = { devcontainer: a.devcontainer ?? true, serial: a.serial ?? 'none', arc: a.arc ?? false } as Pick<Answers, 'devcontainer' | 'serial' | 'arc'>;
    const answers = validateAnswers({ ...(a as unknown as Answers), ...added, projectDir: (a.projectDir as string | undefined) ?? '.', envs });
    presetById(answers.toolchain).validate(answers);
    return answers;
  } catch (e) {
    if (e instanceof AnswersError) throw new StateError(`${where}: stored answers are not valid: ${e.message}; fix or delete the file and scaffold again`);
    throw e;
  }
}

function parseJson(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new StateError(`${where} is not valid JSON (${(e as Error).message}); fix it, or delete it and scaffold again`);
  }
  if (!isRecord(v)) throw new StateError(`${where} should hold a JSON object; fix it, or delete it and scaffold again`);
  return v;
}

/** Reads a file of the project through the safe path checks; null when absent. */
function readProjectFile(root: string, path: string): string | null {
  const s = inspectPath(root, path);
  if (s.kind === 'absent') return null;
  if (s.kind === 'file') return s.content;
  throw new StateError(s.kind === 'symlink' ? `${path} is a symlink; the tool never reads or writes its state through one: replace it with the file` : s.why);
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Semantic version order of `a` and `b` (<0, 0, >0); 0 when either is not a version (nothing to
 * compare: the stored one is then treated as any other older state).
 */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [SEMVER.exec(a), SEMVER.exec(b)];
  if (!x || !y) return 0;
  for (let i = 1; i <= 3; i++) if (Number(x[i]) !== Number(y[i])) return Number(x[i]) - Number(y[i]);
  // A pre-release comes before its release; identifiers compare numerically when both are numbers.
  if (!x[4] || !y[4]) return (x[4] ? -1 : 0) + (y[4] ? 1 : 0);
  const [p, q] = [x[4].split('.'), y[4].split('.')];
  for (let i = 0; i < Math.min(p.length, q.length); i++) {
    if (p[i] === q[i]) continue;
    const [m, n] = [/^\d+$/.test(p[i]), /^\d+$/.test(q[i])];
    if (m && n) return Number(p[i]) - Number(q[i]);
    if (m !== n) return m ? -1 : 1;
    return p[i] < q[i] ? -1 : 1;
  }
  return p.length - q.length;
}

/** The project's state, or null when it was never scaffolded. */
export function loadState(root: string): LoadedState | null {
  const text = readProjectFile(root, STATE_FILE);
  if (text === null) return loadLegacy(root);
  const raw = parseJson(text, STATE_FILE);
  if (raw.format !== FORMAT) throw new StateError(`${STATE_FILE}: format ${printableLine(String(raw.format))} is not one this version (${TOOL_VERSION}) reads; upgrade create-pio-docker`);
  if (typeof raw.toolVersion !== 'string') throw new StateError(`${STATE_FILE}: toolVersion is missing; fix it, or delete the file and scaffold again`);
  // A newer version's answers and templates are not ours to regenerate: older templates would undo it.
  if (compareVersions(raw.toolVersion, TOOL_VERSION) > 0) {
    const v = printableLine(raw.toolVersion.slice(0, 40));
    throw new StateError(`${STATE_FILE} was written by create-pio-docker ${v}, newer than this one (${TOOL_VERSION}): run ${v} or later, e.g. npx create-pio-docker@${v}`);
  }
  const answers = checkAnswers(raw.answers, STATE_FILE);
  const deselected = raw.deselectedEnvs;
  if (!Array.isArray(deselected) || deselected.some((d) => typeof d !== 'string')) throw new StateError(`${STATE_FILE}: deselectedEnvs should be a list of env names`);
  const gen = raw.generated;
  const sums = isRecord(gen) && isRecord(gen.sha256) ? (gen.sha256 as Record<string, string>) : {};
  const packed = isRecord(gen) && typeof gen.packed === 'string' ? gen.packed : '';
  const state: State = { format: FORMAT, toolVersion: raw.toolVersion, answers, deselectedEnvs: deselected as string[], generated: { sha256: sums, packed } };
  // The base is worked out (re-rendered, or unpacked and checked) only by the runs that merge:
  // verify and envs read the answers alone.
  let merged: ReturnType<typeof mergeBase> | undefined;
  const merge = () => (merged ??= mergeBase(state));
  return {
    state,
    text,
    get base() {
      return merge().base;
    },
    get baseProblem() {
      return merge().problem;
    },
    legacy: null,
  };
}

/** What was generated last: re-rendered when this tool wrote it, else the packed copy, checked. */
function mergeBase(state: State): { base: Map<string, string> | null; problem: string | null } {
  if (state.toolVersion === TOOL_VERSION) return { base: new Map(renderAll(state.answers).map((a) => [a.path, a.content])), problem: null };
  try {
    return { base: unpack(state.generated.packed, state.generated.sha256), problem: null };
  } catch (e) {
    return {
      base: null,
      problem: `${STATE_FILE} was written by create-pio-docker ${printableLine(state.toolVersion)} and its copy of what that version generated cannot be used (${printableLine((e as Error).message)}); files that differ cannot be merged: move them away and merge by hand, or pass --force to take the new versions`,
    };
  }
}

/** 0.1 kept answers in .yo-rc.json and each generated file's copy under .create-pio-docker/base/. */
function loadLegacy(root: string): LoadedState | null {
  const yoRc = readProjectFile(root, LEGACY.yoRc);
  if (yoRc === null) return null;
  const rc = parseJson(yoRc, LEGACY.yoRc);
  const stored = rc[LEGACY.key];
  if (stored === undefined) return null;
  if (!isRecord(stored)) throw new StateError(`${LEGACY.yoRc}: "${LEGACY.key}" should be an object`);
  const answers = checkAnswers(stored.answers, LEGACY.yoRc);
  // Only the paths the tool generates are looked up there: a file planted elsewhere in that
  // folder is never read, and never deleted.
  const baseFiles = new Map<string, string>();
  for (const path of KNOWN_PATHS) {
    const s = inspectPath(root, `${LEGACY.baseDir}/${path}`);
    if (s.kind === 'file') baseFiles.set(path, s.content);
  }
  const state: State = { format: FORMAT, toolVersion: typeof stored.toolVersion === 'string' ? stored.toolVersion : '0.1.0', answers, deselectedEnvs: [], generated: { sha256: {}, packed: '' } };
  return { state, text: '', base: baseFiles, baseProblem: null, legacy: { yoRc, baseFiles } };
}
