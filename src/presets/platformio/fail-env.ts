// Which env the `all` check makes fail, and how: its own section's build_flags force-include a
// header holding an `#error`. With PlatformIO's semantics another env fails too when it takes its
// flags from that env, by inheritance (`extends = env:NAME`) or by interpolation
// (`${env:NAME.build_flags}`): then "the others still build" would blame a healthy project. So each
// candidate's edit is read back with the project's own ini reader (src/presets/platformio/ini/config.ts, which
// resolves both), and an env whose edit reaches another env is not chosen.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeText, readInputText } from '../../core/safety/read.js';
import { ProjectConfig } from './ini/config.js';

export type FailEnvChoice = { env: string } | { skip: string };

/** The text with `-include HEADER` added to the build_flags of [env:NAME]'s own section, or null when that section is not in this file. */
export function withForcedInclude(text: string, env: string, header: string): string | null {
  const m = new RegExp(`^[ \\t]*\\[env:${env.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\][ \\t]*(?:[;#].*)?$`, 'm').exec(text);
  if (!m) return null;
  // build_flags of the env's own section: prepend to it, or add one right after the header.
  const start = m.index + m[0].length;
  const next = text.slice(start).search(/^[ \t]*\[/m);
  const end = next < 0 ? text.length : start + next;
  const section = text.slice(start, end);
  const flags = /^([ \t]*build_flags[ \t]*=)/m;
  const edited = flags.test(section) ? section.replace(flags, `$1 -include ${header}`) : `\nbuild_flags = -include ${header}${section}`;
  return text.slice(0, start) + edited + text.slice(end);
}

/** Replaces the file (a link in the copy is replaced, never written through). */
function replace(path: string, text: string): void {
  rmSync(path);
  writeFileSync(path, encodeText(text), { flag: 'wx' });
}

/**
 * Tries the candidates in order on `ini` (a copy of the project's platformio.ini, edited in place):
 * the first whose edit reaches no other env's effective build_flags is kept written; else the
 * file is restored and the reason returned.
 */
export function chooseFailEnv(ini: string, candidates: string[], all: string[], header: string): FailEnvChoice {
  const text = readInputText(ini, 'platformio.ini');
  const reasons: string[] = [];
  for (const env of candidates) {
    const edited = withForcedInclude(text, env, header);
    if (edited === null) {
      reasons.push(`[env:${env}] is not in platformio.ini itself (extra_configs?)`);
      continue;
    }
    replace(ini, edited);
    let reached: string[];
    try {
      const config = new ProjectConfig(dirname(ini));
      const flags = (e: string) => ([] as unknown[]).concat(config.get(`env:${e}`, 'build_flags', [])).join(' ');
      reached = all.filter((e) => e !== env && flags(e).includes(header));
    } catch {
      // The reader cannot resolve the file (a ${sysenv.X} it lacks, ...): PlatformIO in the image
      // will say why; the check goes on with this env as before.
      reached = [];
    }
    if (!reached.length) return { env };
    reasons.push(`${env}'s build_flags reach ${reached.join(', ')} (extends or \${env:${env}.build_flags})`);
    replace(ini, text);
  }
  return { skip: `no env can fail alone: ${reasons.join('; ')}` };
}
