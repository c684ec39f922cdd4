// askForX(): each answer comes from a flag, else the stored answers (.create-pio-docker.json), else
// the default (--yes) or a prompt (TTY). Prompts come from the one answer table (ANSWERS in
// cli/flags.ts) and are validated by the flag's own check. Without a TTY a missing answer is
// collected and reported with the flag that would give it: never a silent exit.
import { CHECKS, DEFAULT_RUNNER_COUNTS, defaultAnswers, AnswersError, givenProjectName, type Answers, type EnvAnswer } from '../core/answers.js';
import { answerSpec, parseEnvsFlag, type FlagAnswers } from '../cli/flags.js';
import { REGISTRY, type PresetEntry } from '../presets/registry.js';
import { printableLine } from '../core/safety/text.js';

export interface ProjectInfo {
  /** Folder name, the default project slug. */
  name: string;
  /** Envs read from platformio.ini (default_envs first), or null when there is none. */
  envs: EnvAnswer[] | null;
  /** Its default_envs (that exist). */
  defaults?: string[];
  /** The project folder relative to the repository root, when it was located. */
  projectDir?: string;
}

// A loose question shape: yeoman-generator's prompt typings are stricter than what inquirer accepts.
export interface Question {
  type: 'input' | 'number' | 'list' | 'checkbox';
  name: string;
  message: string;
  default?: unknown;
  choices?: { name: string; value: string; checked?: boolean }[];
  /** true, or the problem (the prompt shows it and asks again). */
  validate?: (raw: unknown) => true | string;
  pageSize?: number;
}

export interface AskContext {
  flags: FlagAnswers;
  stored?: Answers;
  project: ProjectInfo;
  yes: boolean;
  interactive: boolean;
  prompt(q: Question): Promise<unknown>;
}

export class Asker {
  readonly missing: string[] = [];
  constructor(private readonly ctx: AskContext) {}

  /** The answer for `flag`: given > stored > --yes default > the prompt of its spec (with `extra` on top). */
  async ask<T>(flag: string, given: T | undefined, stored: T | undefined, fallback: T, parse: (raw: unknown) => T, extra: Partial<Question> = {}): Promise<T> {
    const spec = answerSpec(flag).prompt!;
    const question = { type: spec.type, message: spec.message, ...(spec.choices ? { choices: spec.choices } : {}), ...extra };
    if (given !== undefined) return given;
    if (stored !== undefined) return stored;
    if (this.ctx.yes) return fallback;
    if (!this.ctx.interactive) {
      this.missing.push(`--${flag}`);
      return fallback;
    }
    return parse(await this.ctx.prompt(this.question(flag, fallback, question as Omit<Question, 'name' | 'default'>, parse)));
  }

  /** True when `ask` would prompt for this answer. */
  willPrompt(given: unknown, stored: unknown): boolean {
    return given === undefined && stored === undefined && !this.ctx.yes && this.ctx.interactive;
  }

  /** The prompt, validated at the prompt by the same check as the flag (a bad answer is asked again). */
  question<T>(flag: string, fallback: T, question: Omit<Question, 'name' | 'default'>, parse: (raw: unknown) => T): Question {
    // Numbers are asked as text: the number prompt answers anything else with its own generic
    // "You must provide a valid numeric value" before the check can say what is valid.
    const def = question.type === 'checkbox' ? undefined : Array.isArray(fallback) ? fallback.join(',') : typeof fallback === 'number' ? String(fallback) : fallback;
    const check = (CHECKS as Record<string, ((v: unknown) => string | null) | undefined>)[flag];
    const validate = (raw: unknown): true | string => {
      try {
        return check?.(parse(raw)) ?? true;
      } catch (e) {
        return (e as Error).message;
      }
    };
    return { ...question, name: flag, default: def, validate };
  }
}

export const asString = (raw: unknown) => String(raw ?? '').trim();
/** Digits only (no `1e3`, `0x10` or ` `): anything else is NaN, which the check words. */
const asInt = (raw: unknown) => (/^\s*[0-9]+\s*$/.test(String(raw ?? '')) ? Number(String(raw).trim()) : Number.NaN);
// A checkbox answers with values; its validate callback may see the choice objects instead.
const asList = <T>(raw: unknown) => (Array.isArray(raw) ? raw.map((x) => (typeof x === 'object' && x !== null && 'value' in x ? (x as { value: T }).value : (x as T))) : []);

/** More envs than fit on a screen: ask for a scope first, with a one-key choice for default_envs. */
const MANY_ENVS = 20;

async function askForEnvs(q: Asker, ctx: AskContext, fallback: EnvAnswer[]): Promise<EnvAnswer[]> {
  const known = ctx.project.envs;
  if (known === null) {
    return q.ask('envs', ctx.flags.envs, ctx.stored?.envs, fallback, (raw) => parseEnvsFlag(asString(raw)), { type: 'input', message: 'No platformio.ini here. Envs to build (NAME[:BOARD],...)' });
  }
  const byName = new Map(known.map((e) => [e.name, e]));
  const pick = (names: string[]) => names.map((n) => byName.get(n)!);
  const defaults = new Set(ctx.project.defaults ?? []);
  const label = (e: EnvAnswer) => printableLine(`${e.name}${e.board ? ` (${e.board})` : ''}${defaults.has(e.name) ? ' [default]' : ''}`);
  let checked = (_: EnvAnswer) => true;
  if (known.length > MANY_ENVS && q.willPrompt(ctx.flags.envs, ctx.stored?.envs)) {
    const scope = await ctx.prompt({
      type: 'list',
      name: 'envs-scope',
      message: `platformio.ini has ${known.length} envs. Build which in Docker?`,
      choices: [
        ...(defaults.size ? [{ name: `the default envs: ${[...defaults].join(', ')}`, value: 'defaults' }] : []),
        { name: `all ${known.length} envs`, value: 'all' },
        { name: 'choose from the list', value: 'choose' },
      ],
    });
    if (scope === 'all') return known;
    if (scope === 'defaults') return known.filter((e) => defaults.has(e.name));
    if (defaults.size) checked = (e) => defaults.has(e.name);
  }
  return q.ask('envs', ctx.flags.envs, ctx.stored?.envs, fallback, (raw) => pick(asList<string>(raw)), {
    message: `${answerSpec('envs').prompt!.message} (${known.length}; space toggles, a toggles all)`,
    pageSize: 15,
    choices: known.map((e) => ({ name: label(e), value: e.name, checked: checked(e) })),
  });
}

/** Envs named by --envs must exist in platformio.ini (when there is one); boards come from it. */
function resolveFlagEnvs(flags: FlagAnswers, project: ProjectInfo): FlagAnswers {
  if (!flags.envs || project.envs === null) return flags;
  const byName = new Map(project.envs.map((e) => [e.name, e]));
  const unknown = flags.envs.filter((e) => !byName.has(e.name)).map((e) => e.name);
  if (unknown.length) {
    throw new AnswersError(`--envs names envs that platformio.ini does not define: ${unknown.join(', ')} (known: ${project.envs.map((e) => e.name).join(', ')})`, 'envs');
  }
  return { ...flags, envs: flags.envs.map((e) => ({ ...byName.get(e.name)!, board: e.board ?? byName.get(e.name)!.board })) };
}

export async function askAll(ctx0: AskContext): Promise<Answers> {
  const ctx = { ...ctx0, flags: resolveFlagEnvs(ctx0.flags, ctx0.project) };
  const { flags: f, stored: s } = ctx;
  if (ctx.project.envs === null && !f.envs && !s?.envs) {
    // Nothing to default from: even --yes cannot proceed.
    if (!ctx.interactive) throw new AnswersError(`no platformio.ini found: pass --envs NAME[:BOARD],... to proceed without one, or ${(REGISTRY as readonly PresetEntry[]).filter((e) => e.id !== 'platformio').map((e) => `--preset ${e.id} for ${e.kind}`).join(', ')}`, 'envs');
  }
  const d = defaultAnswers(givenProjectName(f.projectName) ?? s?.projectName ?? ctx.project.name, ctx.project.envs ?? []);
  const q = new Asker(ctx);

  const envs = await askForEnvs(q, ctx, d.envs);
  const baseImage = await q.ask('base-image', f.baseImage, s?.baseImage, d.baseImage, asString, { message: `${answerSpec('base-image').prompt!.message} (Python 3, Debian bookworm)` });
  const platformioVersion = await q.ask('platformio-version', f.platformioVersion, s?.platformioVersion, d.platformioVersion, asString);
  const userName = await q.ask('user', f.userName, s?.user.name, d.user.name, asString);
  const uid = await q.ask('uid', f.uid, s?.user.uid, d.user.uid, asInt);
  const gid = await q.ask('gid', f.gid, s?.user.gid, d.user.gid, asInt);
  const tools = await q.ask('tools', f.tools, s?.tools, d.tools, (raw) => asList<Answers['tools'][number]>(raw));
  const runnerKind = await q.ask('runners', f.runners, s?.runners.kind, d.runners.kind, (raw) => asString(raw) as Answers['runners']['kind']);
  let dev = 0;
  let prod = 0;
  if (runnerKind !== 'none') {
    // Counts stored while runners were off are 0: not an answer for runners turned on now.
    const storedRunners = s?.runners.kind === 'none' ? undefined : s?.runners;
    dev = await q.ask('dev-runners', f.devRunners, storedRunners?.dev, DEFAULT_RUNNER_COUNTS.dev, asInt);
    prod = await q.ask('prod-runners', f.prodRunners, storedRunners?.prod, DEFAULT_RUNNER_COUNTS.prod, asInt);
  }
  const image = await q.ask('image', f.image, s?.image.name, d.image.name, asString);
  const registry = await q.ask('registry', f.registry, s?.image.registry, d.image.registry, asString);
  const platforms = await q.ask('platforms', f.platforms, s?.platforms, d.platforms, (raw) => asList<Answers['platforms'][number]>(raw), {
    choices: answerSpec('platforms').prompt!.choices!.map((c) => ({ ...c, checked: (d.platforms as string[]).includes(c.value) })),
  });
  const ci = await q.ask('ci', f.ci, s?.ci, d.ci, (raw) => asString(raw) as Answers['ci']);
  // A list prompt answers 'yes'/'no'; its default (the fallback) is the boolean itself.
  const devcontainer = await q.ask('devcontainer', f.devcontainer, s?.devcontainer, d.devcontainer, (raw) => raw === true || asString(raw) === 'yes');
  const serial = await q.ask('serial', f.serial, s?.serial, d.serial, (raw) => asString(raw) as Answers['serial']);

  if (q.missing.length) {
    throw new AnswersError(`no terminal to ask in; missing answers: ${q.missing.join(', ')} (pass them, or --yes for the defaults)`, q.missing[0].slice(2));
  }
  return {
    toolchain: 'platformio',
    projectName: d.projectName,
    projectDir: ctx.project.projectDir ?? s?.projectDir ?? '.',
    envs,
    baseImage,
    platformioVersion,
    user: { name: userName, uid, gid },
    tools,
    runners: { kind: runnerKind, dev, prod, labels: f.runnerLabels ?? s?.runners.labels ?? d.runners.labels },
    image: { name: image, registry },
    platforms,
    ci,
    devcontainer,
    serial,
    // Not asked: a flag (or the stored answer) turns it on.
    arc: f.arc ?? s?.arc ?? d.arc,
  };
}
