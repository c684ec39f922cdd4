// What the rest of create-pio-docker needs from platformio.ini: the envs, default_envs and, per
// env, platform, board and framework, resolved as PlatformIO resolves them.
import type { EnvAnswer } from '../../../core/answers.js';
import { printableLine } from '../../../core/safety/text.js';
import { ProjectConfig, isUnresolvable, where, type Value } from './config.js';

export { PioConfigError, ProjectConfig, parseMultiValues } from './config.js';

export interface EnvInfo {
  platform: string | null;
  board: string | null;
  /** [] when unset (as PlatformIO reports it); null when it cannot be resolved. */
  framework: string[] | null;
}

export interface EnvsReport {
  envs: string[];
  default_envs: string[];
  env: Record<string, EnvInfo>;
}

/**
 * Reads DIR/platformio.ini and the extra_configs it pulls in. A value PlatformIO cannot resolve
 * becomes null with one warning naming file and option; a malformed project throws PioConfigError.
 */
export function readEnvs(dir: string, environ: NodeJS.ProcessEnv = process.env, repoRoot?: string): { report: EnvsReport; warnings: string[] } {
  const config = new ProjectConfig(dir, environ, repoRoot);
  const warnings: string[] = [...config.warnings];
  const read = <T extends Value>(section: string, option: string, fallback: T, def?: Value): T => {
    try {
      return (def === undefined ? config.get(section, option) : config.get(section, option, def)) as T;
    } catch (e) {
      if (!isUnresolvable(e)) throw e;
      let at;
      try {
        at = config.origin(section, option);
      } catch {
        at = undefined;
      }
      // printed as it is by the CLI: one line, control characters from the files escaped
      warnings.push(printableLine(`${at ? `${where(at)}: ` : ''}[${section}] ${option}: value cannot be resolved: ${e.message}`));
      return fallback;
    }
  };
  const envs = config.envs();
  const report: EnvsReport = { envs, default_envs: read('platformio', 'default_envs', [] as string[], []), env: {} };
  for (const name of envs) {
    const section = `env:${name}`;
    report.env[name] = {
      platform: read<string | null>(section, 'platform', null),
      board: read<string | null>(section, 'board', null),
      framework: read<string[] | null>(section, 'framework', null),
    };
  }
  return { report, warnings };
}

/**
 * The envs as the scaffold and `update` order them: default_envs first (those that exist), then
 * file order; with the default_envs that exist and the reader's warnings.
 */
export function projectEnvs(dir: string, repoRoot?: string): { envs: EnvAnswer[]; defaults: string[]; warnings: string[] } {
  const { report, warnings } = readEnvs(dir, process.env, repoRoot);
  const known = new Set(report.envs);
  const defaults = report.default_envs.filter((e) => known.has(e));
  const chosen = new Set(defaults);
  const order = [...defaults, ...report.envs.filter((e) => !chosen.has(e))];
  const envs = order.map((name) => ({ name, board: report.env[name]?.board ?? null, platform: report.env[name]?.platform ?? null }));
  return { envs, defaults, warnings };
}
