// What the user reads: the proposal printed before anything is written, and docs/MIGRATION.md.
import { join } from 'node:path';
import { isObj } from './load.js';
import { NEW_FILE, type Plan } from './plan.js';
import { newProject, type Check } from './verify.js';
import { SUBCOMMANDS, type FoundCommand } from './commands.js';

const rel = (plan: Plan, name: string) => (plan.group.rel === '.' ? name : join(plan.group.rel, name));

/**
 * The subcommand as the repo documents it (`run --rm app`, `up --exit-code-from fw`); for an
 * inferred command, `build` when it only builds images, else `up -d`.
 */
function verb(plan: Plan, i: number): string {
  for (const t of plan.group.commands[i].texts) {
    const documented = subcommandOf(t.text);
    if (documented) return documented;
  }
  const mine = plan.services.filter((o) => o.commands.includes(i));
  return mine.length && mine.every((o) => o.cls === 'image build') ? 'build' : 'up -d';
}

/**
 * What follows the compose options on a documented line, word by word (quotes kept whole), up to a
 * shell operator, comment or line continuation outside quotes, or a quote that does not close (the
 * line's own closing quote: a package.json script, a YAML string); null when it is no subcommand.
 */
export function subcommandOf(text: string): string | null {
  const split = splitOptions(text);
  if (!split) return null;
  const rest = text.slice(split.end);
  const word = /\s*("[^"]*"|'[^']*'|[^\s"';&|)`#]+|[;&|)`#]|\\$|["'])/y;
  const words: string[] = [];
  for (let m = word.exec(rest); m; m = word.exec(rest)) {
    const w = m[1];
    // An operator, comment, continuation or a quote that does not close (the enclosing string's) ends it.
    if (/^[;&|)`#"'\\]$/.test(w)) break;
    words.push(w);
  }
  return words.length && SUBCOMMANDS.has(words[0]) ? words.join(' ') : null;
}

export function oldCommand(plan: Plan, i: number): string {
  const cmd = plan.group.commands[i];
  const files = cmd.implicit && plan.group.rel === '.' ? '' : cmd.files.map((f) => ` -f ${rel(plan, f.name)}`).join('');
  return `docker compose${files}${cmd.project ? ` -p ${cmd.project}` : ''} ${verb(plan, i)}`;
}

/** The options that replace the old `-f` list: the new file, -p where needed, the profile. */
export function newOptions(plan: Plan, i: number, extra: string[] = []): string {
  const p = newProject(plan, i);
  const profiles = [...(plan.profiled[i] ? [plan.group.commands[i].profile] : []), ...extra];
  return `-f ${rel(plan, NEW_FILE)}${p ? ` -p ${p}` : ''}${profiles.map((x) => ` --profile ${x}`).join('')}`;
}

export function newCommand(plan: Plan, i: number): string {
  return `docker compose ${newOptions(plan, i)} ${verb(plan, i)}`;
}

/** Where the old command comes from: the first place the repo documents it, or "inferred". */
export function foundIn(plan: Plan, i: number): string {
  const s = plan.group.commands[i].sources;
  return s.length ? `${s[0]}${s.length > 1 ? ` (+${s.length - 1})` : ''}` : 'inferred';
}

/** compose v2's verdict for command i (all its own-profile variants). */
export function verdict(check: Check, i: number): string {
  const mine = check.perCommand.filter((p) => p.command === i);
  const bad = mine.find((p) => p.result !== 'equal');
  if (!bad) return check.v2 ? 'equal' : 'equal (own model)';
  return `${bad.result}${bad.why ? `: ${bad.why.slice(0, 100)}` : ''}`;
}

const OPTION_WITH_VALUE = /^(-f|--file|-p|--project-name|--profile|--env-file|--project-directory)$/;

/** A documented line with its compose options replaced by the new ones (the subcommand and the rest kept). */
export function rewriteLine(text: string, options: string): string | null {
  const split = splitOptions(text);
  if (!split) return null;
  const envFiles = [...text.slice(split.start + split.command.length, split.end).matchAll(/--env-file[= ]\s*(\S+)/g)].map((x) => ` --env-file ${x[1]}`).join('');
  return `${text.slice(0, split.start)}docker compose ${options}${envFiles}${text.slice(split.end)}`;
}

/** Where `docker compose` starts on a line, and where its compose options (-f, -p, ...) end. */
function splitOptions(text: string): { start: number; command: string; end: number } | null {
  const m = /\bdocker(?:-compose|\s+compose)\b/.exec(text);
  if (!m) return null;
  const i = m.index + m[0].length;
  const rest = text.slice(i);
  const tok = /\s*("[^"]*"|'[^']*'|[^\s;&|)]+)/y;
  let end = 0;
  for (;;) {
    tok.lastIndex = end;
    const t = tok.exec(rest);
    if (!t) break;
    const word = t[1];
    if (OPTION_WITH_VALUE.test(word)) {
      tok.lastIndex = tok.lastIndex;
      const v = tok.exec(rest);
      if (!v) break;
      end = tok.lastIndex;
      continue;
    }
    if (/^(--file|--project-name|--profile|--env-file|--project-directory)=/.test(word) || /^-f\S/.test(word)) {
      end = tok.lastIndex;
      continue;
    }
    break;
  }
  return { start: m.index, command: m[0], end: i + end };
}

/** A documented `.env` (COMPOSE_FILE=...) rewritten: the new file and the profile, so plain `docker compose` keeps working. */
function envLine(plan: Plan, i: number, extra: string[]): string {
  const p = newProject(plan, i);
  const profiles = [...(plan.profiled[i] ? [plan.group.commands[i].profile] : []), ...extra];
  return [`COMPOSE_FILE=${NEW_FILE}`, ...(profiles.length ? [`COMPOSE_PROFILES=${profiles.join(',')}`] : []), ...(p ? [`COMPOSE_PROJECT_NAME=${p}`] : [])].join(' ');
}

/** Swarm-style files (deploy + overlay networks): `docker stack deploy` ignores profiles. */
function swarmWarning(plan: Plan): string | null {
  const overlay = plan.group.files.some((f) => /driver:\s*["']?overlay\b/.test(f.text));
  const deploy = plan.group.files.some((f) => /^\s+deploy:\s*$/m.test(f.text));
  if (!overlay || !deploy) return null;
  return 'These files look like a swarm stack (deploy: and overlay networks). `docker stack config` / `docker stack deploy` reject `profiles:`; for a stack, render one profile first: `docker compose -f compose.yaml --profile NAME config > stack.yml` and deploy that.';
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
  lines.push(...table([['old command', 'found in', 'new command', 'compose v2'], ...g.commands.map((_, i) => [oldCommand(plan, i), foundIn(plan, i), newCommand(plan, i), check.v2 ? verdict(check, i) : 'not run (fallback)'])]));
  lines.push(...table([['service', 'kind', 'profiles', 'from'], ...plan.services.map((o) => [o.name === o.orig ? o.name : `${o.name} (was ${o.orig})`, o.cls, o.profiles?.join(', ') ?? '(always)', o.mergedFrom.join(' + ')])]));
  if (plan.services.some((o) => o.name !== o.orig)) lines.push('  note: renamed services get new containers; data in their anonymous volumes is not carried over (named volumes are)');
  lines.push(`  old files: ${removeOld ? 'removed (--remove-old)' : 'kept as *.bak'}`);
  for (const n of g.notes ?? []) lines.push(`  note: ${n}`);
  for (const f of g.files) if (f.link) lines.push(`  note: ${rel(plan, f.name)} is a symlink to ${f.link}; migrated through the link, but writing stops there: replace the link with the file it points to first`);
  const swarm = swarmWarning(plan);
  if (swarm) lines.push(`  warning: ${swarm}`);
  lines.push(`  check: ${check.method}: ${check.problems.length ? `${check.problems.length} difference(s)` : check.v2 ? 'same project for every command' : 'same services for every profile'}`);
  return lines.join('\n') + '\n';
}

export function migrationGuide(plans: { plan: Plan; check: Check }[], removeOld: boolean, unresolved: FoundCommand[] = [], skipped: string[] = []): string {
  const out = [
    '# Compose migration',
    '',
    'Written by `create-pio-docker migrate`. The split compose files were merged into one profile-based',
    'file per set. Every command the repository documents (scripts, Makefiles, package.json, CI, docs,',
    'comments, `.env`) became a profile; where nothing documented how files were combined, the commands',
    'were inferred from the file names (marked "inferred"). Before anything was written, the project each',
    'new command yields was checked against the one its old command yielded.',
    '',
  ];
  for (const { plan, check } of plans) {
    const g = plan.group;
    out.push(`## ${g.files.map((f) => `\`${rel(plan, f.name)}\``).join(', ')} → \`${rel(plan, NEW_FILE)}\``, '');
    out.push(`Compose project name: **\`${g.projectName}\`** (${g.projectSource}). The new file sits in the folder the old`);
    out.push(`commands ran from, so compose derives the same name and reuses the existing volumes${volumeNames(plan).length ? ` (${volumeNames(plan).join(', ')})` : ''}.`);
    out.push(`If you ran the old commands with \`-p NAME\` or \`COMPOSE_PROJECT_NAME\`, keep passing the same name: a different`);
    out.push('project name starts with new, empty volumes (the PlatformIO cache would be downloaded again).', '');
    out.push('| old command | found in | new command | checked with compose v2 |', '| --- | --- | --- | --- |');
    g.commands.forEach((_, i) => out.push(`| \`${oldCommand(plan, i)}\` | ${foundIn(plan, i)} | \`${newCommand(plan, i)}\` | ${check.v2 ? verdict(check, i) : 'no (own model)'} |`));
    const documented = g.commands.flatMap((c, i) => c.texts.map((t) => ({ t, i })));
    if (documented.length) {
      out.push('', 'The documented commands, rewritten (replace each line where it is written):', '');
      for (const { t, i } of documented) {
        const line = /^COMPOSE_(FILE|PROFILES|PROJECT_NAME)=/.test(t.text) ? envLine(plan, i, t.profiles) : rewriteLine(t.text, newOptions(plan, i, t.profiles));
        out.push(`- ${t.source}: \`${t.text.replace(/`/g, "'")}\``, line ? `  → \`${line.replace(/`/g, "'")}\`` : '  → needs a manual change');
      }
    }
    out.push('', 'Other subcommands (`build`, `run`, `logs`, `down`, ...) change the same way: the old `-f` list becomes');
    out.push(`\`-f ${rel(plan, NEW_FILE)}\` plus that command's profile. Use one profile per command: combinations of these`);
    out.push('profiles (`--profile a --profile b`) were not checked, and where services were renamed they would start');
    out.push('both variants (same ports, same volumes).', '');
    out.push('| service | kind | profiles | from |', '| --- | --- | --- | --- |');
    for (const o of plan.services) out.push(`| \`${o.name}\`${o.name !== o.orig ? ` (was \`${o.orig}\`)` : ''} | ${o.cls} | ${o.profiles?.map((p) => `\`${p}\``).join(', ') ?? 'all (no profiles)'} | ${o.mergedFrom.join(' + ')} |`);
    const kept = [...new Set(plan.services.filter((o) => o.ownProfiles).flatMap((o) => o.profiles ?? []))];
    if (kept.length) {
      out.push('', `Profiles the old files already had are kept as they were: ${kept.map((p) => `\`${p}\``).join(', ')}. Where you passed one`);
      out.push(`before, pass it next to the new profile (\`--profile ${g.commands[0].profile} --profile ${kept[0]}\`); that was checked.`);
    }
    const topRenamed = plan.topRenames.flatMap((r, i) => (['networks', 'volumes'] as const).flatMap((k) => [...r[k]].map(([from, to]) => `- ${k.slice(0, -1)} \`${from}\` of profile \`${g.commands[i].profile}\` is \`${to}\` in the file (same ${k === 'networks' ? 'network' : 'volume'} name at run time as before)`)));
    if (topRenamed.length) {
      out.push('', 'Old commands defined these differently; one file holds one definition per key, so each profile keeps its own:', '');
      out.push(...[...new Set(topRenamed)]);
      out.push('', 'Those keys carry a fixed `name:` (the one the old command used with this project name): run with another');
      out.push('`-p`, they still use these networks and volumes.');
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
    const swarm = swarmWarning(plan);
    if (swarm) out.push('', `**Swarm:** ${swarm}`);
    for (const n of g.notes ?? []) out.push('', `Note: ${n}.`);
    out.push('', `Checked with: ${check.method}.`, '');
    out.push(removeOld ? 'The old files were removed (`--remove-old`).' : `The old files were kept as \`*.bak\` next to where they were; delete them once the new commands work.`, '');
  }
  const moved = new Set(plans.flatMap(({ plan }) => plan.group.files.map((f) => f.path)));
  const manual = unresolved.filter((c) => c.files.some((x) => [...moved].some((p) => p.endsWith(`/${x.replace(/^\.\//, '')}`))));
  if (manual.length) {
    out.push('## Commands that need a manual change', '', 'These documented commands name files this migration replaced, together with files it could not find:', '');
    for (const c of manual) out.push(`- ${c.source}: \`${c.text.replace(/`/g, "'")}\``);
    out.push('');
  }
  if (skipped.length) {
    out.push('## Left as they were', '', 'These sets (or files) were not migrated; their old files are unchanged and work as before:', '');
    for (const r of skipped) out.push(`- ${r.replace(/`/g, "'")}`);
    out.push('');
  }
  out.push(
    '## How profiles were named',
    '',
    '- the base file alone (`docker compose up`, with `docker-compose.override.yml` when present): `default`;',
    '  services that every old command ran unchanged have no `profiles:` and start with every profile, so',
    '  when that is all the base command ran, it stays a plain `docker compose -f compose.yaml up`;',
    '- the base file without its override (`docker compose -f docker-compose.yml`, when documented): `base`;',
    '- `*.runner.yml` (one runner): `dev`; `*.runners.yml` (several): `prod` — as `compose.runners.yaml` of',
    '  create-pio-docker names them;',
    '- a build/images file whose services only build images: `images`;',
    '- `dev`/`development`/`local` overrides: `dev`; `prod`/`production`: `prod`; `test`/`testing`: `test`;',
    '- any other file: its own suffix or name (`docker-compose.maintenance.yml` → `maintenance`, `jibri.yml` →',
    '  `jibri`); a name already taken falls back to the suffix.',
    '',
    'Inferred commands (nothing in the repository documented them): an override file (`-f base -f override`)',
    'counts as one when it changes a service of the base file or has a service without `image`/`build`; a',
    'file that only adds complete services is taken as standalone (`-f file`). Without a file named like a',
    'base, the one whose services are complete and that the others change is the base. An overlay that needs a',
    'service only another overlay defines runs with that overlay; a command compose v2 cannot load was left out.',
    '',
  );
  return out.join('\n');
}
