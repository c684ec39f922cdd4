// create-pio-docker's command line: subcommand dispatch, flag parsing, help, exit codes.
// Heavy modules (Yeoman, dockerode) are imported only by the subcommand that needs them.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AnswersError } from './answers.js';
import { ANSWER_FLAGS, flagAnswers, SCAFFOLD_SWITCHES, UsageError, type FlagSpec } from './cli/flags.js';
import { TOOL_VERSION } from './paths.js';

const COMMANDS = [
  { name: '[DIR]', help: 'scaffold the Docker build environment into DIR (default: .)' },
  { name: 'envs [DIR]', help: 'print the envs platformio.ini defines (--json for machines)' },
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
    'Scaffold options (every prompt has a flag):',
    ...ANSWER_FLAGS.map(flagLine),
    ...SCAFFOLD_SWITCHES.map(flagLine),
    '',
    'envs options:',
    flagLine({ name: 'json', help: 'print {"envs", "default_envs", "env"} as JSON' }),
    '',
    'General:',
    flagLine({ name: 'help', short: 'h', help: 'show this help' }),
    flagLine({ name: 'version', short: 'v', help: 'print the version' }),
    '',
    'Exit codes: 0 done, 1 failed (e.g. files in the way), 2 usage or input error.',
    'Without a terminal, every answer must come from a flag, stored answers (.yo-rc.json) or --yes.',
    '',
  ].join('\n');
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(args: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

function oneDir(positionals: string[]): string {
  if (positionals.length > 1) throw new UsageError(`one DIR at most, got: ${positionals.join(' ')}`);
  return resolve(positionals[0] ?? '.');
}

async function scaffold(args: string[]): Promise<number> {
  const options: Options = {};
  for (const f of ANSWER_FLAGS) options[f.name] = { type: 'string' };
  for (const f of SCAFFOLD_SWITCHES) options[f.name] = { type: 'boolean', ...(f.short ? { short: f.short } : {}) };
  const { values, positionals } = parse(args, options);
  if (values.help) return help();
  const dir = oneDir(positionals);
  const flags = flagAnswers(values as Record<string, string | undefined>);
  const { runApp } = await import('./run-generator.js');
  await runApp(dir, {
    flagAnswers: flags,
    yes: Boolean(values.yes),
    force: Boolean(values.force),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  });
  return 0;
}

async function envs(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (values.help) return help();
  const { envsCommand } = await import('./commands/envs.js');
  return envsCommand(oneDir(positionals), { json: Boolean(values.json) });
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
    return await scaffold(argv);
  } catch (e) {
    return report(e);
  }
}

/** Known failures get one clear line and their exit code; anything else is a bug: show the stack. */
function report(e: unknown): number {
  const err = e as Error & { files?: string[] };
  if (err instanceof UsageError || err instanceof AnswersError || err.name === 'PioConfigError') {
    process.stderr.write(`error: ${err.message}\n`);
    if (err instanceof UsageError) process.stderr.write('Run create-pio-docker --help for usage.\n');
    return 2;
  }
  if (err.name === 'ConflictError') {
    process.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`create-pio-docker: unexpected error: ${err.stack ?? err}\n`);
  return 1;
}
