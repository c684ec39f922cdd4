// ejs for text artifacts only (Dockerfile, shell, Markdown, workflow). Compose files are data.
import ejs from 'ejs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, TEMPLATES_DIR } from '../core/paths.js';

const cache = new Map<string, ejs.TemplateFunction>();

/** Renders a shared template, src/capabilities/templates/NAME.ejs, with the context as `c`. */
export function renderTemplate(name: string, c: object): string {
  return renderFile(join(TEMPLATES_DIR, `${name}.ejs`), c);
}

/** Renders a preset's own template, src/presets/ID/templates/NAME.ejs (kept in its folder), with `c`. */
export function renderPresetTemplate(id: string, name: string, c: object): string {
  return renderFile(join(PACKAGE_ROOT, 'src', 'presets', id, 'templates', `${name}.ejs`), c);
}

function compiled(file: string): ejs.TemplateFunction {
  let fn = cache.get(file);
  if (!fn) {
    fn = ejs.compile(readFileSync(file, 'utf8'), { filename: file, localsName: 'c', strict: true, escape: (s: string) => s });
    cache.set(file, fn);
  }
  return fn;
}

function renderFile(file: string, c: object): string {
  return compiled(file)(c) as string;
}

/**
 * Compiles every template now (the common ones and each preset's): before root becomes a
 * repository's owner (src/cli/owner.ts), who may not be able to read the tool's own files (npx's
 * cache under /root).
 */
export function preloadTemplates(): void {
  const presets = join(PACKAGE_ROOT, 'src', 'presets');
  const dirs = [TEMPLATES_DIR, ...readdirSync(presets, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(presets, d.name, 'templates'))];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // a preset without templates
    }
    for (const name of names) if (name.endsWith('.ejs')) compiled(join(dir, name));
  }
}

/**
 * Text from the project (a board, a platform) as the text of a Markdown table cell: `|` would end
 * the cell and break the table, and `` ` * _ [ ] < > ~ & \ `` would turn into code, emphasis, links
 * or HTML. Each is backslash-escaped (CommonMark), so the cell shows the text as it is.
 */
export function mdCell(s: string): string {
  return s.replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}

/**
 * Shell-quote a value assigned to a variable (`tag=...`): always quoted. Unquoted, shellcheck reads
 * `tag=p-pio:dev` as arithmetic when the script has a variable `p` (SC2100) and `USER_NAME=env` as
 * a command (SC2209); a project, user or image name can be either.
 */
export const shqAssign = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell-quote one word for generated scripts. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Dockerfile value quoting: bare when safe, else in double quotes with \\, " and $ escaped. */
export function dockerQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/[\\"$]/g, '\\$&')}"`;
}
