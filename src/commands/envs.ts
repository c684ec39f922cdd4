// `create-pio-docker envs [DIR] [--json]`: the envs platformio.ini defines, as PlatformIO sees them.
// --json prints exactly the report; warnings go to stderr either way. Malformed input throws
// PioConfigError, which src/cli.ts reports with exit code 2.
import { readEnvs, type EnvsReport } from '../platformio/index.js';

/** One line for a table cell: multi-line values (e.g. `platform =` + next line) flattened. */
const cell = (v: string | null) => (v === null ? '-' : v.trim().split(/\s*\n\s*/).join(' ') || '-');

export function envsTable(report: EnvsReport): string {
  const rows = [['ENV', 'BOARD', 'PLATFORM', 'FRAMEWORK', 'DEFAULT']];
  for (const name of report.envs) {
    const e = report.env[name];
    rows.push([name, cell(e.board), cell(e.platform), e.framework === null ? '-' : e.framework.join(',') || '-', report.default_envs.includes(name) ? '*' : '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  if (!report.envs.length) lines.push('(no [env:NAME] sections)');
  return `${lines.join('\n')}\n`;
}

export async function envsCommand(dir: string, o: { json: boolean }): Promise<number> {
  const { report, warnings } = readEnvs(dir);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : envsTable(report));
  return 0;
}
