// `create-pio-docker envs [DIR] [--json]`: the envs platformio.ini defines, as PlatformIO sees them.
// --json prints exactly the report; warnings go to stderr either way. Malformed input throws
// PioConfigError, which src/cli.ts reports with exit code 2; so does a repository of another preset
// (scaffolded as one, or looking like one without a platformio.ini), pointing to `project --json`. The table shows values with control
// characters escaped (a board name must not drive the terminal); --json prints them exactly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PioConfigError } from '../presets/platformio/ini/config.js';
import { readEnvs, type EnvsReport } from '../presets/platformio/ini/index.js';
import { entryOf } from '../presets/registry.js';
import { locate, projectFolder } from '../pipeline/location.js';
import { loadState } from '../pipeline/state.js';
import { printableLine } from '../core/safety/text.js';

/**
 * One line for a table cell: multi-line values (e.g. `platform =` + next line) flattened, control
 * characters escaped. (No regex split on spaces around newlines: it backtracks quadratically on long runs of spaces.)
 */
const cell = (v: string | null) =>
  v === null
    ? '-'
    : printableLine(
        v
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .join(' '),
      ) || '-';

export function envsTable(report: EnvsReport): string {
  const rows = [['ENV', 'BOARD', 'PLATFORM', 'FRAMEWORK', 'DEFAULT']];
  const defaults = new Set(report.default_envs);
  for (const name of report.envs) {
    const e = report.env[name];
    rows.push([printableLine(name), cell(e.board), cell(e.platform), e.framework === null ? '-' : printableLine(e.framework.join(',')) || '-', defaults.has(name) ? '*' : '']);
  }
  const widths = rows[0].map((_, i) => rows.reduce((w, r) => Math.max(w, r[i].length), 0));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  if (!report.envs.length) lines.push('(no [env:NAME] sections)');
  return `${lines.join('\n')}\n`;
}

export async function envsCommand(dir: string, o: { json: boolean }): Promise<number> {
  // The project is found as the scaffold and update find it (the folder, a subfolder, or the
  // folder the state file names).
  const loc = locate(dir);
  const stored = loadState(loc.root)?.state.answers;
  const projectDir = loc.projectDir ?? stored?.projectDir ?? '.';
  const folder = projectFolder(loc.root, projectDir);
  const other = stored ? { id: stored.toolchain, how: 'scaffolded as' } : existsSync(join(folder, 'platformio.ini')) ? null : await detectedPreset(dir);
  if (other && other.id !== 'platformio') {
    throw new PioConfigError(`envs lists the envs of platformio.ini; ${loc.root} is ${other.how} ${other.id} (${entryOf(other.id)?.displayName ?? other.id}), which has none: create-pio-docker project --json ${dir} prints what that preset reads`);
  }
  const { report, warnings } = readEnvs(folder, process.env, loc.root);
  for (const w of warnings) process.stderr.write(`warning: ${printableLine(w)}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : envsTable(report));
  return 0;
}

/** The preset a repository without platformio.ini looks like (loads the presets' detectors only then). */
async function detectedPreset(dir: string): Promise<{ id: string; how: string } | null> {
  const [{ openProject }, { detectPresets }] = await Promise.all([import('../pipeline/selection.js'), import('../pipeline/choose-preset.js')]);
  const { root, project } = openProject(dir);
  const id = detectPresets(root, project)[0];
  return id ? { id, how: 'detected as' } : null;
}
