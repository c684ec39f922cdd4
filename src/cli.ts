// create-pio-docker's command line: subcommand dispatch, flag parsing, help, exit codes.
// Heavy modules (Yeoman, dockerode) are imported only by the subcommand that needs them.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ANSWER_FLAGS, answerHelpLines, flagAnswers, SCAFFOLD_SWITCHES, UsageError, verifyHelpLines, type FlagSpec } from './cli/flags.js';
import { becomeOwner, ownerToBecome } from './cli/owner.js';
import { CpdError } from './core/errors.js';
import { STATE_FILE, TOOL_VERSION } from './core/paths.js';
import { errnoText } from './core/safety/errno.js';
import { printable, printableLine, quoted } from './core/safety/text.js';

const COMMANDS = [
  { name: '[DIR]', help: 'scaffold the Docker build environment into DIR (default: .)' },
  { name: 'envs [DIR]', help: 'print the envs platformio.ini defines (--json for machines)' },
  { name: 'project [DIR]', help: 'print the preset (stored or detected) and what it reads from the repository (--json)' },
  { name: 'verify [DIR]', help: 'build every image with BuildKit on a Docker engine and smoke-test it' },
  { name: 'update [DIR]', help: 'regenerate after platformio.ini or an answer changed, merging your edits (3-way)' },
  { name: 'migrate [DIR]', help: 'turn split compose setups into profile-based files (checked with compose v2; CPD_MIGRATE_COMPOSE=none: own model)' },
];

/** verify --timeout's largest value: a day is more than any build takes, and far below what Node's timers hold. */
const MAX_TIMEOUT_SEC = 86_400;

const VERIFY_FLAGS: FlagSpec[] = [
  { name: 'target', value: 'STAGE', help: 'build only this image target (repeatable)' },
  { name: 'build-arg', value: 'K=V', help: 'build argument, e.g. BASE_IMAGE or PIP_INDEX_URL (repeatable); the mirror settings (BASE_IMAGE and those of the preset: its tool version, PIP_*, GO*) not given here come from the environment, else .env, as the generated scripts read them; PIP_INDEX_URL, PIP_EXTRA_INDEX_URL and PIP_TRUSTED_HOST also go to check containers that run pip; credentials in them are never printed' },
  { name: 'network', value: 'MODE', help: 'network for RUN steps and the check containers that build (firmware, Go, wheels): default or host (default: BUILD_NETWORK from the environment, else .env, else default)' },
  { name: 'json', value: 'FILE', help: 'write a JSON report (- for stdout)' },
  { name: 'timeout', value: 'SECONDS', help: `limit for each build and container step, 1 to ${MAX_TIMEOUT_SEC} (24 hours; default: 900)` },
  { name: 'keep', help: 'keep the containers, volumes and images it made (for debugging)' },
  { name: 'no-cache', help: 'build without the build cache' },
];

const UPDATE_FLAGS: FlagSpec[] = [
  { name: 'dry-run', help: 'print a unified diff of what would change; write nothing' },
  { name: 'check', help: 'exit 1 when generated files are out of date (for CI); write nothing' },
  { name: 'force', help: 'overwrite files in the way that were never generated (not your merged edits)' },
  { name: 'yes', short: 'y', help: 'defaults for answers neither stored nor given (e.g. runner counts with --runners github)' },
];

/** Every command that reads or writes the repository takes it (verify keeps root: see src/cli/owner.ts). */
const AS_ROOT: FlagSpec = { name: 'as-root', help: 'run as root even in a repository another user owns (by default root becomes its owner first)' };

const MIGRATE_FLAGS: FlagSpec[] = [
  { name: 'yes', short: 'y', help: 'accept the proposed mapping without asking' },
  { name: 'dry-run', help: 'print the new files and a diff; write nothing' },
  { name: 'remove-old', help: 'remove the old files instead of keeping *.bak copies' },
];

function flagLine(f: FlagSpec): string {
  const names = (f.short ? `-${f.short}, ` : '    ') + `--${f.name}` + (f.value ? ` ${f.value}` : '');
  return `  ${names.padEnd(36)} ${f.help}`;
}

export function helpText(): string {
  return [
    'Usage: create-pio-docker [COMMAND] [DIR] [options]',
    '       npm init pio-docker -- [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(36)} ${c.help}`),
    '',
    'Scaffold options (every prompt has a flag; a preset takes the common ones and its own):',
    ...answerHelpLines(flagLine, SCAFFOLD_SWITCHES),
    '',
    'envs options (exit 0 listed, 2 no platformio.ini or malformed; in another preset\'s repository it',
    'names the preset and points to `project --json`):',
    flagLine({ name: 'json', help: 'print {"envs", "default_envs", "env"} as JSON' }),
    '',
    'verify options (exit 0 all checks passed, 1 a check failed, 2 usage or engine error):',
    ...VERIFY_FLAGS.map(flagLine),
    ...verifyHelpLines(),
    '',
    'update options (exit 0 merged cleanly, 1 conflicts written with markers or files in the way,',
    '2 unresolved markers or input error); every scaffold answer flag above changes that answer:',
    ...UPDATE_FLAGS.map(flagLine),
    '',
    'migrate options (exit 0 done, 1 refused, 2 input error, 3 done with some sets skipped):',
    ...MIGRATE_FLAGS.map(flagLine),
    '',
    'General:',
    flagLine({ name: 'help', short: 'h', help: 'show this help' }),
    flagLine({ name: 'version', short: 'v', help: 'print the version' }),
    flagLine(AS_ROOT),
    '',
    'Exit codes: 0 done, 1 failed (e.g. files in the way), 2 usage or input error, 130 cancelled',
    '(a signal while files are written undoes the write: 128 + the signal, SIGTERM 143).',
    'Run as root in a repository another user owns, every command but verify runs as that user.',
    `Without a terminal, every answer must come from a flag, stored answers (${STATE_FILE}) or --yes.`,
    'Run again on a scaffolded project: stored answers are reused, your edits are merged (as update).',
    'DEBUG=1 prints the stack of an unexpected error (please include it when reporting one).',
    '',
  ].join('\n');
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** parseArgs options from a flag table: flags with a value are strings. */
function optionsOf(flags: FlagSpec[], multiple: string[] = []): Options {
  const out: Options = {};
  for (const f of flags) out[f.name] = { type: f.value ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}), ...(multiple.includes(f.name) ? { multiple: true } : {}) };
  return out;
}

function parse(args: string[], options: Options): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    // One line: parseArgs explains some errors over several.
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\s*\n\s*/g, ' '));
  }
}

function oneDir(positionals: string[]): string {
  if (positionals.length > 1) throw new UsageError(`one DIR at most, got: ${positionals.join(' ')}`);
  return resolve(positionals[0] ?? '.');
}

async function scaffold(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, optionsOf([...ANSWER_FLAGS, ...SCAFFOLD_SWITCHES, AS_ROOT]));
  if (values.help) return help();
  const dir = oneDir(positionals);
  const flags = flagAnswers(values as Record<string, string | undefined>);
  const options = { flagAnswers: flags, yes: Boolean(values.yes), force: Boolean(values.force) };
  // Without a terminal nothing is prompted, so neither Yeoman nor the prompt library is loaded.
  if (!(process.stdin.isTTY && process.stdout.isTTY)) {
    const { scaffoldWithoutTerminal } = await loadThenBecomeOwner(dir, values, () => import('./pipeline/scaffold.js'));
    await checkFolder(dir);
    return scaffoldWithoutTerminal(dir, options);
  }
  const { runApp } = await loadThenBecomeOwner(dir, values, () => import('./run-generator.js'));
  await checkFolder(dir);
  return runApp(dir, { ...options, interactive: true });
}

/**
 * Loads the command's modules (and, before becoming the owner, every template), then, as root in a
 * repository another user owns, becomes that user (src/cli/owner.ts) before anything in it is read.
 * Loading comes first because the owner may not be able to read the tool's own files (npx's cache
 * under /root).
 */
async function loadThenBecomeOwner<T>(dir: string, values: Record<string, unknown>, load: () => Promise<T>): Promise<T> {
  const mod = await load();
  const owner = ownerToBecome(dir, Boolean(values['as-root']));
  if (owner) {
    const { preloadTemplates } = await import('./capabilities/template.js');
    preloadTemplates();
    becomeOwner(owner);
  }
  return mod;
}

/** The project folder must exist and be a folder: nothing is created above the project, nothing read from a device. */
async function checkFolder(dir: string): Promise<void> {
  const { statSync } = await import('node:fs');
  let missing = false;
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch (e) {
    missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  if (!ok) throw new UsageError(missing ? `${printableLine(dir)}: no such folder` : `${printableLine(dir)} is not a folder`);
}

async function envs(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, ...optionsOf([AS_ROOT]) });
  if (values.help) return help();
  const dir = oneDir(positionals);
  await checkFolder(dir);
  const [{ envsCommand }] = await loadThenBecomeOwner(dir, values, () => Promise.all([import('./commands/envs.js'), import('./pipeline/selection.js'), import('./pipeline/choose-preset.js')]));
  return envsCommand(dir, { json: Boolean(values.json) });
}

async function project(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, ...optionsOf([AS_ROOT]) });
  if (values.help) return help();
  const dir = oneDir(positionals);
  await checkFolder(dir);
  const { projectCommand } = await loadThenBecomeOwner(dir, values, () => import('./commands/project.js'));
  return projectCommand(dir, { json: Boolean(values.json) });
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, optionsOf(VERIFY_FLAGS, ['target', 'build-arg']));
  if (values.help) return help();
  const buildArgs: Record<string, string> = {};
  for (const kv of (values['build-arg'] as string[] | undefined) ?? []) {
    const i = kv.indexOf('=');
    if (i < 1) throw new UsageError(`--build-arg takes K=V (a name, =, the value), not ${quoted(kv)}`);
    buildArgs[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const network = values.network as string | undefined;
  if (network !== undefined && network !== 'default' && network !== 'host') throw new UsageError(`--network takes default or host, not ${quoted(network)}`);
  const timeout = (values.timeout as string | undefined) ?? '900';
  // Node's timers take at most 2^31-1 ms (24.8 days); a larger value would fire at once.
  if (!/^[1-9][0-9]*$/.test(timeout) || Number(timeout) > MAX_TIMEOUT_SEC) throw new UsageError(`--timeout takes a number of seconds from 1 to ${MAX_TIMEOUT_SEC} (24 hours), not ${quoted(timeout)}`);
  const dir = oneDir(positionals);
  await checkFolder(dir);
  const { verifyCommand } = await import('./commands/verify.js');
  const { locate } = await import('./pipeline/location.js');
  // The generated files (Dockerfile, compose, state) are at the repository root.
  return verifyCommand(locate(dir).root, {
    targets: (values.target as string[] | undefined) ?? [],
    buildArgs,
    network,
    json: values.json as string | undefined,
    timeoutSec: Number(timeout),
    keep: Boolean(values.keep),
    noCache: Boolean(values['no-cache']),
  });
}

async function update(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, optionsOf([...ANSWER_FLAGS, ...UPDATE_FLAGS, AS_ROOT]));
  if (values.help) return help();
  if (values['dry-run'] && values.check) throw new UsageError('--dry-run and --check do not go together');
  const dir = oneDir(positionals);
  const flags = flagAnswers(values as Record<string, string | undefined>);
  const { updateCommand } = await loadThenBecomeOwner(dir, values, () => import('./commands/update.js'));
  await checkFolder(dir);
  return updateCommand(dir, { dryRun: Boolean(values['dry-run']), check: Boolean(values.check), force: Boolean(values.force), yes: Boolean(values.yes), flagAnswers: flags });
}

async function migrate(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, optionsOf([...MIGRATE_FLAGS, AS_ROOT]));
  if (values.help) return help();
  const dir = oneDir(positionals);
  const { migrateCommand } = await loadThenBecomeOwner(dir, values, () => import('./commands/migrate.js'));
  return migrateCommand(dir, {
    yes: Boolean(values.yes),
    dryRun: Boolean(values['dry-run']),
    removeOld: Boolean(values['remove-old']),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  });
}

function help(): number {
  process.stdout.write(helpText());
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === '--version' || first === '-v') {
      process.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    }
    if (first === 'help') return help();
    if (first === 'envs') return await envs(rest);
    if (first === 'project') return await project(rest);
    if (first === 'verify') return await verify(rest);
    if (first === 'update') return await update(rest);
    if (first === 'migrate') return await migrate(rest);
    return await scaffold(argv);
  } catch (e) {
    return report(e);
  }
}

/** Known failures get one clear line and their exit code; anything else is a bug: say how to report it. */
function report(e: unknown): number {
  const err = (e instanceof Error ? e : new Error(String(e))) as NodeJS.ErrnoException;
  const line = (text: string) => process.stderr.write(`${printable(text)}\n`);
  // The one place a known failure becomes an exit status: its class says which (src/core/errors.ts).
  if (err instanceof CpdError) {
    line(err.asIs ? err.message : `error: ${err.message}`);
    if (err.hint) line(err.hint);
    return err.exitCode;
  }
  // A file system error from reading the project: say which file and why, not where in our code.
  const why = errnoText(err.code);
  if (why) {
    line(`error: ${err.path ? `${err.path}: ` : ''}${why} (${err.syscall ?? err.code}); nothing was written`);
    return 1;
  }
  line(`create-pio-docker: unexpected error: ${err.message}`);
  if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
  else line('This is a bug. Please report it with the output of the same command run with DEBUG=1.');
  return 1;
}
