// The shape of a row of the one answer table (src/cli/flags.ts) and the helpers rows parse flag
// text with. A leaf module: the presets' own rows (src/presets/<id>/flags.ts) import it, and flag
// parsing imports them, so nothing here may import (at run time) the answers model or a preset.
import type { Answers } from './answers.js';
import { CpdError, EXIT } from './errors.js';
import { quoted } from './safety/text.js';

export interface FlagSpec {
  name: string;
  short?: string;
  /** Placeholder shown in help; absent for boolean flags. */
  value?: string;
  help: string;
}

/**
 * One answer: its flag, help, prompt and how flag text becomes a value. The check of a common
 * answer is CHECKS[flag] (src/core/answers.ts); a preset's own row carries its check here.
 */
export interface AnswerSpec extends FlagSpec {
  value: string;
  /** Where the parsed value goes in FlagAnswers. */
  key: string;
  /** How the prompt asks; absent: never asked (flag or default only). */
  prompt?: { type: 'input' | 'number' | 'list' | 'checkbox'; message: string; choices?: { name: string; value: string }[] };
  /** Flag text -> value; malformed text is a UsageError naming the flag. */
  parse: (raw: string, flag: string) => unknown;
  /** The default, as --help shows it (given PlatformIO's defaults); absent when it depends on the project. */
  shown?: (d: Answers) => string;
  /** A preset's own answer: the problem with a value (flag, stored or prompted), or null. */
  check?: (v: never) => string | null;
}

export class UsageError extends CpdError {
  readonly exitCode = EXIT.input;
  readonly hint = 'Run create-pio-docker --help for usage.';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const text = (raw: string) => raw;

export const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export function int(flag: string, s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new UsageError(`--${flag} takes a whole number (digits only, e.g. 1000), not ${quoted(s)}`);
  return Number(s);
}

export function oneOf<T extends string>(flag: string, s: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`--${flag} takes ${allowed.join(' or ')}, not ${quoted(s)}`);
  return s as T;
}
