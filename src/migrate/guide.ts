// What the user reads: the proposal printed before anything is written, and docs/MIGRATION.md.
import { join } from 'node:path';
import { isObj } from './load.js';
import { NEW_FILE, type Plan } from './plan.js';
import type { Check } from './verify.js';

const rel = (plan: Plan, name: string) => (plan.group.rel === '.' ? name : join(plan.group.rel, name));

/** `build` for commands that only build images, `up -d` for the rest. */
function verb(plan: Plan, i: number): string {
  const mine = plan.services.filter((o) => o.commands.includes(i));
  return mine.length && mine.every((o) => o.cls === 'image build') ? 'build' : 'up -d';
}

export function oldCommand(plan: Plan, i: number): string {
  const cmd = plan.group.commands[i];
  const files = cmd.implicit && plan.group.rel === '.' ? '' : cmd.files.map((f) => ` -f ${rel(plan, f.name)}`).join('');
  return `docker compose${files} ${verb(plan, i)}`;
}

export function newCommand(plan: Plan, i: number): string {
  return `docker compose -f ${rel(plan, NEW_FILE)}${plan.profiled[i] ? ` --profile ${plan.group.commands[i].profile}` : ''} ${verb(plan, i)}`;
}

/** Named volumes and the names Docker knows them by, so the user can see they are kept. */
function volumeNames(plan: Plan): string[] {
  return Object.entries(plan.top.volumes).map(([k, v]) => {
    const cfg = isObj(v) ? v : {};
    const name = typeof cfg.name === 'string' ? cfg.name : cfg.external === true ? k : `${plan.group.projectName}_${k}`;
    return `${k} (${name}${cfg.external === true ? ', external' : ''})`;
  });
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
}

export function proposal(plan: Plan, check: Check, removeOld: boolean): string {
  const g = plan.group;
  const lines = [`${g.rel}: ${g.files.map((f) => f.name).join(', ')} -> ${rel(plan, NEW_FILE)}`];
  lines.push(`  compose project name: ${g.projectName} (${g.projectSource}); named volumes kept: ${volumeNames(plan).join(', ') || 'none'}`);
  lines.push(...table([['old command', 'new command'], ...g.commands.map((_, i) => [oldCommand(plan, i), newCommand(plan, i)])]));
  lines.push(...table([['service', 'kind', 'profiles', 'from'], ...plan.services.map((o) => [o.name === o.orig ? o.name : `${o.name} (was ${o.orig})`, o.cls, o.profiles?.join(', ') ?? '(always)', o.mergedFrom.join(' + ')])]));
  if (plan.services.some((o) => o.name !== o.orig)) lines.push('  note: renamed services get new containers; data in their anonymous volumes is not carried over (named volumes are)');
  lines.push(`  old files: ${removeOld ? 'removed (--remove-old)' : 'kept as *.bak'}`);
  lines.push(`  check: ${check.method}: ${check.problems.length ? `${check.problems.length} difference(s)` : 'same services for every profile'}`);
  return lines.join('\n') + '\n';
}

export function migrationGuide(plans: { plan: Plan; check: Check }[], removeOld: boolean): string {
  const out = [
    '# Compose migration',
    '',
    'Written by `create-pio-docker migrate`. The split compose files were merged into one profile-based',
    'file per folder. Every old command became a profile, and the services each profile starts were',
    'checked to be the same as the ones the old command produced (image/build, environment, volumes,',
    'ports and every other setting) before anything was written.',
    '',
  ];
  for (const { plan, check } of plans) {
    const g = plan.group;
    out.push(`## ${g.files.map((f) => `\`${rel(plan, f.name)}\``).join(', ')} → \`${rel(plan, NEW_FILE)}\``, '');
    out.push(`Compose project name: **\`${g.projectName}\`** (${g.projectSource}). The new file sits in the same`);
    out.push(`folder as the old ones, so compose derives the same name and reuses the existing volumes${volumeNames(plan).length ? ` (${volumeNames(plan).join(', ')})` : ''}.`);
    out.push(`If you ran the old commands with \`-p NAME\` or \`COMPOSE_PROJECT_NAME\`, keep passing the same name: a different`);
    out.push('project name starts with new, empty volumes (the PlatformIO cache would be downloaded again).', '');
    out.push('| old command | new command |', '| --- | --- |');
    g.commands.forEach((_, i) => out.push(`| \`${oldCommand(plan, i)}\` | \`${newCommand(plan, i)}\` |`));
    out.push('', 'Other subcommands (`build`, `run`, `logs`, `down`, ...) change the same way: the old `-f` list becomes');
    out.push(`\`-f ${rel(plan, NEW_FILE)}\` plus the profile. Old commands that combined files run as several profiles at once`);
    out.push('(`--profile a --profile b`).', '');
    out.push('| service | kind | profiles | from |', '| --- | --- | --- | --- |');
    for (const o of plan.services) out.push(`| \`${o.name}\`${o.name !== o.orig ? ` (was \`${o.orig}\`)` : ''} | ${o.cls} | ${o.profiles?.map((p) => `\`${p}\``).join(', ') ?? 'all (no profiles)'} | ${o.mergedFrom.join(' + ')} |`);
    const kept = [...new Set(plan.services.filter((o) => o.ownProfiles).flatMap((o) => o.profiles ?? []))];
    if (kept.length) {
      out.push('', `Profiles the old files already had are kept as they were: ${kept.map((p) => `\`${p}\``).join(', ')}. Where you passed one`);
      out.push(`before, pass it next to the new profile (\`--profile ${g.commands[0].profile} --profile ${kept[0]}\`).`);
    }
    const renamed = plan.services.filter((o) => o.name !== o.orig);
    if (renamed.length) {
      out.push('', 'Renamed: one file cannot hold two definitions of one service name, and these services were');
      out.push('defined differently by different old commands (an override changed them, or they depend on a');
      out.push('renamed service). The definition most commands ran keeps the name; each other one got a suffix');
      out.push('and a network alias with the old name,');
      out.push('so other containers still reach it by its old host name. Use the new name with `run`/`exec`/`logs`:', '');
      for (const o of renamed) out.push(`- \`${o.orig}\` in profile ${o.profiles?.map((p) => `\`${p}\``).join(', ')} is now \`${o.name}\` (container names change accordingly)`);
      out.push('', 'A renamed service gets new containers: named volumes are shared as before, but data in anonymous');
      out.push('volumes of its old containers (a volume given only as a container path, or an image VOLUME) is not');
      out.push('carried over. Move such data to a named volume before switching.');
    }
    out.push('', `Checked with: ${check.method}.`, '');
    out.push(removeOld ? 'The old files were removed (`--remove-old`).' : `The old files were kept as \`*.bak\` next to the new file; delete them once the new commands work.`, '');
  }
  out.push(
    '## How profiles were named',
    '',
    '- the base file alone (`docker compose up`, with `docker-compose.override.yml` when present): `default`;',
    '  services that every old command ran unchanged have no `profiles:` and start with every profile, so',
    '  when that is all the base command ran, it stays a plain `docker compose -f compose.yaml up`;',
    '- `*.runner.yml` (one runner): `dev`; `*.runners.yml` (several): `prod` — as `compose.runners.yaml` of',
    '  create-pio-docker names them;',
    '- a build/images file whose services only build images: `images`;',
    '- `dev`/`development`/`local` overrides: `dev`; `prod`/`production`: `prod`; `test`/`testing`: `test`;',
    '- any other file: its own suffix (`docker-compose.maintenance.yml` → `maintenance`); a name already taken',
    '  falls back to the suffix.',
    '',
    'An override file (`-f base -f override`) counts as one when it changes a service of the base file or',
    'has a service without `image`/`build`; a file that only adds complete services is taken as standalone',
    '(`-f file`). If you ran it together with the base file, enable both profiles.',
    '',
  );
  return out.join('\n');
}
