// go-deb's questions, from the one answer table (its own rows: flags.ts): flag > stored > --yes default >
// prompt. What go.mod, cmd/* and debian/control say is read fresh on every run.
import { relative, resolve } from 'node:path';
import { AnswersError, defaultAnswers, envSlug, givenProjectName, type Answers } from '../../core/answers.js';
import { gitRoot, projectFolder } from '../../core/repo.js';
import { Asker, asString } from '../../capabilities/questions.js';
import type { PresetAskContext } from '../types.js';
import { DEB_NAME, goDebOf, type GoDebAnswers } from './answers.js';
import type { GoDebFlagAnswers } from './flags.js';
import { readGoProject } from './read.js';

const asList = (raw: unknown) => {
  const s = Array.isArray(raw) ? raw.join(',') : asString(raw);
  return s === '' || s === 'none' ? [] : s.split(/[\s,]+/).filter((x) => x !== '');
};

/** golang:<major.minor>-bookworm for go.mod's version: Debian based, so apt names match. */
export const defaultGoImage = (goVersion: string) => `golang:${goVersion.split('.').slice(0, 2).join('.')}-bookworm`;

export async function askGoDeb(ctx: PresetAskContext): Promise<Answers> {
  const projectDir = ctx.project.projectDir ?? '.';
  const repo = readGoProject(projectFolder(ctx.root, projectDir));
  const f = ctx.flags as GoDebFlagAnswers;
  const s = ctx.stored;
  const sg = s ? goDebOf(s) : undefined;
  const d = defaultAnswers(givenProjectName(f.projectName) ?? s?.projectName ?? ctx.project.name, []);
  const last = envSlug(repo.commands[0]?.name ?? d.projectName) || d.projectName;
  const q = new Asker(ctx);

  const baseImage = await q.ask('base-image', f.baseImage, s?.baseImage, defaultGoImage(repo.goVersion), asString, { message: 'Base image (Debian based, with Go)' });
  const systemPackages = await q.ask('system-packages', f.systemPackages, sg?.systemPackages, [], asList);
  // debian/control is the source of truth for the package's metadata when there is one.
  const maintainer = await q.ask('maintainer', f.maintainer ?? repo.debian?.maintainer ?? undefined, sg?.deb.maintainer, `${d.projectName} maintainers <maintainers@example.invalid>`, asString);
  const image = await q.ask('image', f.image, s?.image.name, `${d.projectName}-build`, asString);
  const registry = await q.ask('registry', f.registry, s?.image.registry, d.image.registry, asString);
  const ci = await q.ask('ci', f.ci, s?.ci, d.ci, (raw) => asString(raw) as Answers['ci']);
  if (q.missing.length) {
    throw new AnswersError(`no terminal to ask in; missing answers: ${q.missing.join(', ')} (pass them, or --yes for the defaults)`, q.missing[0].slice(2));
  }
  // GitHub reads workflows only at the repository's root. The files land there unless a state file
  // from an earlier scaffold keeps them in a subfolder (then the root's .github/ is out of reach).
  const git = gitRoot(resolve(ctx.root));
  if (ci === 'github' && git !== null && git !== resolve(ctx.root)) {
    const sub = relative(git, resolve(ctx.root));
    throw new AnswersError(`${sub}/ of its git repository was scaffolded in place: the workflow would go to ${sub}/.github/, which GitHub never reads: move ${sub}/.create-pio-docker.json away and run create-pio-docker at the repository root, or pass --ci none`, 'ci');
  }
  const g: GoDebAnswers = {
    module: repo.module,
    goVersion: repo.goVersion,
    commands: repo.commands,
    cgo: repo.cgo,
    systemPackages,
    deb: {
      name: repo.debian?.name ?? debName(last, d.projectName),
      maintainer,
      depends: repo.debian?.depends ?? [],
      description: (repo.debian?.description ?? `${last} (${repo.module})`).slice(0, 200),
    },
  };
  return { ...d, projectDir, toolchain: 'go-deb', baseImage, image: { name: image, registry }, ci, devcontainer: false, presetAnswers: g as unknown as Record<string, unknown> };
}

/**
 * The .deb name without debian/control: the module's last element, else the project's name, else
 * either with `-go` (Debian names have at least two characters: `example.com/x` gives `x-go`).
 */
function debName(last: string, projectName: string): string {
  const slug = (s: string) => envSlug(s).replace(/_/g, '-').replace(/^[^a-z0-9]+/, '');
  const candidates = [slug(last), slug(projectName), `${slug(last)}-go`, `${slug(projectName)}-go`];
  return candidates.find((n) => DEB_NAME.test(n)) ?? 'go-program';
}
