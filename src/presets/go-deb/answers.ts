// go-deb's own answers (Answers.presetAnswers): what was read from the repository and what was
// asked. Stored in the state file, so rendering needs nothing but the answers.
import { AnswersError, CHECKS, type Answers } from '../../core/answers.js';

export interface GoDebAnswers {
  /** go.mod's module path and `go` version. */
  module: string;
  goVersion: string;
  /** main packages: folder relative to the root (`cmd/a`, or `.`) and the binary's name. */
  commands: { dir: string; name: string }[];
  /** Some package imports "C": CGO_ENABLED=1 and a C compiler in the image. */
  cgo: boolean;
  /** Debian packages the build needs (asked; e.g. libfuse3-dev). */
  systemPackages: string[];
  /** The .deb: package name, Maintainer, Depends, one-line Description (from debian/control when there is one). */
  deb: { name: string; maintainer: string; depends: string[]; description: string };
}

const MODULE = /^[A-Za-z0-9][A-Za-z0-9._~\/-]*$/;
const GO_VERSION = /^1\.[0-9]+(\.[0-9]+)?$/;
const COMMAND = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DIR = /^(\.|[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)$/;
export const DEB_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
// A Depends entry: a package, optionally with a version relation; alternatives with |.
const DEPENDS = /^[a-z0-9][a-z0-9+.-]+( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?( \| [a-z0-9][a-z0-9+.-]+( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?)*$/;
const ONE_LINE = /^[^\u0000-\u001f\u007f-\u009f]{1,200}$/;

const fail = (what: string, flag = 'preset'): never => {
  throw new AnswersError(`go-deb: ${what}`, flag);
};

/** The go-deb answers of validated common answers; throws AnswersError when anything is off. */
export function goDebOf(a: Answers): GoDebAnswers {
  const g = a.presetAnswers as Partial<GoDebAnswers> | undefined;
  if (!g || typeof g !== 'object') return fail('its answers are missing (scaffold again)');
  if (typeof g.module !== 'string' || !MODULE.test(g.module)) fail(`invalid module path ${JSON.stringify(g.module)} in go.mod`);
  if (typeof g.goVersion !== 'string' || !GO_VERSION.test(g.goVersion)) fail(`invalid go version ${JSON.stringify(g.goVersion)} in go.mod (1.N or 1.N.M)`);
  if (!Array.isArray(g.commands) || g.commands.length === 0) fail('no main package found (cmd/NAME/*.go with package main, or one at the root)');
  const names = new Set<string>();
  for (const c of g.commands!) {
    if (typeof c?.dir !== 'string' || !DIR.test(c.dir) || c.dir.split('/').includes('..')) fail(`invalid command folder ${JSON.stringify(c?.dir)}`);
    if (typeof c.name !== 'string' || !COMMAND.test(c.name)) fail(`invalid command name ${JSON.stringify(c.name)}`);
    if (names.has(c.name)) fail(`two commands are named ${c.name}`);
    names.add(c.name);
  }
  if (typeof g.cgo !== 'boolean') fail('cgo should be true or false');
  if (!Array.isArray(g.systemPackages) || g.systemPackages.some((p) => typeof p !== 'string')) fail('system packages should be a list');
  const sys = CHECKS['system-packages'](g.systemPackages!);
  if (sys) fail(sys, 'system-packages');
  const d = g.deb;
  if (!d || typeof d !== 'object') return fail('.deb metadata is missing');
  if (typeof d.name !== 'string' || !DEB_NAME.test(d.name)) fail(`invalid .deb package name ${JSON.stringify(d.name)}`);
  const m = typeof d.maintainer === 'string' ? CHECKS.maintainer(d.maintainer) : 'the maintainer is missing';
  if (m) fail(m, 'maintainer');
  if (!Array.isArray(d.depends) || d.depends.some((x) => typeof x !== 'string' || !DEPENDS.test(x))) fail(`invalid Depends ${JSON.stringify(d.depends)}`);
  if (typeof d.description !== 'string' || !ONE_LINE.test(d.description)) fail('the .deb description should be one line of at most 200 characters');
  return g as GoDebAnswers;
}
