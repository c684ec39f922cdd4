// python-wheels' questions, from the one answer table (its own rows: flags.ts): flag > stored > --yes
// default > prompt. What pyproject.toml and setup.py say is read fresh on every run.
import { AnswersError, CHECKS, defaultAnswers, givenProjectName, type Answers } from '../../core/answers.js';
import { projectFolder } from '../../core/repo.js';
import { Asker, asString } from '../../capabilities/questions.js';
import type { PresetAskContext } from '../types.js';
import { pythonWheelsOf, type PythonWheelsAnswers } from './answers.js';
import { defaultManylinuxImage, type PythonWheelsFlagAnswers } from './flags.js';
import { readPythonProject } from './read.js';
import { pythonsFor } from './versions.js';

const asList = (raw: unknown) => (Array.isArray(raw) ? raw.map(String) : asString(raw).split(/[\s,]+/)).filter((x) => x !== '');

export { defaultManylinuxImage } from './flags.js';

/** The import name of a distribution: PEP 503 normalised, dashes and dots to underscores. */
export const importName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '_');

export async function askPythonWheels(ctx: PresetAskContext): Promise<Answers> {
  const projectDir = ctx.project.projectDir ?? '.';
  const repo = readPythonProject(projectFolder(ctx.root, projectDir));
  const f = ctx.flags as PythonWheelsFlagAnswers;
  const s = ctx.stored;
  const sp = s ? pythonWheelsOf(s) : undefined;
  const d = defaultAnswers(givenProjectName(f.projectName) ?? s?.projectName ?? ctx.project.name, []);
  if (!repo.extensions) throw new AnswersError('python-wheels: no compiled extension found (setup.py ext_modules, [tool.setuptools] ext-modules or [tool.scikit-build]); a pure-Python package needs no manylinux builder', 'preset');
  const allowed = pythonsFor(repo.requiresPython);
  if (allowed.length === 0) throw new AnswersError(`python-wheels: requires-python "${repo.requiresPython}" allows none of CPython 3.9 to 3.14`, 'python-versions');
  const q = new Asker(ctx);

  const pythonVersions = await q.ask('python-versions', f.pythonVersions, sp?.pythonVersions, allowed, asList);
  const bad = CHECKS['python-versions'](pythonVersions);
  if (bad) throw new AnswersError(`python-wheels: ${bad} (--python-versions)`, 'python-versions');
  const outside = pythonVersions.filter((v) => !allowed.includes(v));
  if (outside.length) throw new AnswersError(`python-wheels: requires-python "${repo.requiresPython}" excludes CPython ${outside.join(', ')} (allowed: ${allowed.join(', ')}) (--python-versions)`, 'python-versions');
  const baseImage = await q.ask('base-image', f.baseImage, s?.baseImage, defaultManylinuxImage(), asString, { message: 'Base image (manylinux, with /opt/python/cpXY-cpXY)' });
  const image = await q.ask('image', f.image, s?.image.name, `${d.projectName}-wheels`, asString);
  const registry = await q.ask('registry', f.registry, s?.image.registry, d.image.registry, asString);
  const ci = await q.ask('ci', f.ci, s?.ci, d.ci, (raw) => asString(raw) as Answers['ci']);
  if (q.missing.length) {
    throw new AnswersError(`no terminal to ask in; missing answers: ${q.missing.join(', ')} (pass them, or --yes for the defaults)`, q.missing[0].slice(2));
  }
  const name = repo.name ?? d.projectName;
  const p: PythonWheelsAnswers = {
    name,
    requiresPython: repo.requiresPython,
    buildBackend: repo.buildBackend,
    extensions: repo.extensions,
    imports: repo.modules.length ? repo.modules : [importName(name)],
    pythonVersions,
  };
  return { ...d, projectDir, toolchain: 'python-wheels', baseImage, image: { name: image, registry }, ci, devcontainer: false, presetAnswers: p as unknown as Record<string, unknown> };
}
