// python-wheels's verify checks, on the built builder image, in a copy of the project owned by the
// "host" user the checks play: help without mounts, a wheel per selected version, repaired,
// owned by the checkout's owner, installed and imported in the clean image local-ci.sh `test`
// uses, and a second build that takes pip's packages from the cache volume.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeSkipped, hostDir, hostIds, NOT_COPIED, wrongOwners } from '../../verify/host-copy.js';
import { ENGINE_HARDENING } from '../../capabilities/hardening.js';
import type { RunResult } from '../../verify/sandbox.js';
import { runStopCheck } from '../../verify/stop.js';
import type { PresetVerifyContext } from '../types.js';
import { pythonWheelsOf } from './answers.js';
import { CHECK } from './checks.js';
import { IN_IMAGE, OUTPUT, projectPath, TEST_IMAGE_REPO } from './render.js';
import { cpTag } from './versions.js';

/** pip's index settings verify hands to its containers (from --build-arg, else its environment). */
export const PIP_SETTINGS = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST'] as const;

export function pipEnv(buildArgs: Record<string, string>, env: NodeJS.ProcessEnv = process.env): { env: Record<string, string>; note: string } {
  const out: Record<string, string> = {};
  const from: string[] = [];
  for (const k of PIP_SETTINGS) {
    const value = buildArgs[k] ?? env[k];
    if (value === undefined || value === '') continue;
    out[k] = value;
    from.push(`${k} from ${buildArgs[k] !== undefined ? '--build-arg' : 'the environment'}`);
  }
  // Names only: an index URL may carry credentials.
  return { env: out, note: from.length ? `pip: ${from.join(', ')}` : "pip: its default index (no PIP_INDEX_URL given)" };
}

/** `Downloading NAME` lines of pip's output (verbose: with its build environment's installs). */
export function pipDownloads(log: string): string[] {
  return [...log.matchAll(/^\s*Downloading\s+(\S+)/gm)].map((m) => m[1].replace(/^.*\//, ''));
}

/** A wheel file name's tags: NAME-VER(-BUILD)?-PY-ABI-PLAT.whl. */
export function wheelTags(file: string): { py: string[]; abi: string[]; plat: string[] } | null {
  const parts = file.replace(/\.whl$/, '').split('-');
  if (!file.endsWith('.whl') || parts.length < 5) return null;
  const [py, abi, plat] = parts.slice(-3).map((t) => t.split('.'));
  return { py, abi, plat };
}

/** How compose.build.yaml runs the wheels service: docker's init, the hardening. */
const AS_COMPOSE = { Init: true, ...ENGINE_HARDENING };

const tail = (r: RunResult, n = 4) => `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-n).join(' | ') || '(no output)'}`;

// Imports each module, then demands a compiled module of the same package among those loaded (a
// wheel whose extension did not load must not pass because a pure-Python __init__ imported).
const IMPORT_CHECK = `
import importlib, importlib.machinery, sys
names = sys.argv[1:]
for n in names:
    importlib.import_module(n)
tops = {n.split(".")[0] for n in names}
ext = sorted(f"{k} ({m.__file__})" for k, m in list(sys.modules.items())
             if k.split(".")[0] in tops and isinstance(getattr(m, "__loader__", None), importlib.machinery.ExtensionFileLoader))
if not ext:
    sys.exit("imported " + ", ".join(names) + " but no compiled module of it was loaded")
print("compiled: " + ", ".join(ext))
`;

export async function verifyPythonWheels(v: PresetVerifyContext): Promise<void> {
  const p = pythonWheelsOf(v.a);
  const versions = p.pythonVersions.map((version) => ({ version, tag: cpTag(version) }));
  const tags = versions.map((x) => x.tag);
  const names = [CHECK.help, CHECK.built(tags), CHECK.repaired, CHECK.owner, ...tags.map(CHECK.imported), CHECK.cache, CHECK.stop];
  v.report.expect(names);
  try {
    await checks(v, p, versions, names);
  } catch (e) {
    // An engine error: the checks without a result fail with it, in the table, not as a trace.
    for (const n of names) if (!v.report.has(n)) v.report.add(n, 'fail', `error: ${(e as Error).message}`);
  }
}

async function checks(v: PresetVerifyContext, p: ReturnType<typeof pythonWheelsOf>, versions: { version: string; tag: string }[], names: string[]): Promise<void> {
  const { report, sandbox, timeoutMs } = v;
  const tags = versions.map((x) => x.tag);
  const image = v.images.builder;
  if (!image) {
    for (const n of names) report.add(n, 'skip', 'the builder image was not built');
    return;
  }
  const pip = pipEnv(v.buildArgs);
  // The clean image local-ci.sh `test` uses (TEST_IMAGE_REPO:X.Y-slim), so verify tests what users run.
  const testRepo = process.env.TEST_IMAGE_REPO || TEST_IMAGE_REPO;
  const ids = hostIds();

  const help = sandbox.run({ image, cmd: ['help'], hostConfig: { Init: true }, timeoutMs }).then((r) => {
    const ok = r.exitCode === 0 && /^Usage:/m.test(r.stdout);
    report.add(CHECK.help, ok ? 'pass' : 'fail', ok ? 'no bind mount, no volume' : tail(r));
  }, (e: Error) => report.add(CHECK.help, 'fail', `error: ${e.message}`));
  const stop = stopCheck(v, image, ids).catch((e: Error) => report.add(CHECK.stop, 'fail', `error: ${e.message}`));

  // Which selected versions the image has: a missing one fails the build check with that reason.
  const probe = await sandbox.run({
    image,
    entrypoint: ['sh', '-c', 'for t; do if [ -x "/opt/python/$t-$t/bin/python" ]; then echo "$t"; fi; done', 'sh'],
    cmd: tags,
    timeoutMs,
  });
  const present = versions.filter((x) => probe.exitCode === 0 && probe.stdout.split('\n').includes(x.tag));
  const absent = versions.filter((x) => !present.includes(x));

  let dir: string;
  try {
    const made = hostDir(ids, v.projectDir, new Set([...NOT_COPIED, OUTPUT, 'build']));
    dir = made.dir;
    // Earlier output of a package in a subfolder: gone from the copy, as dist/ and build/ at the root are.
    if (v.a.projectDir !== '.') for (const f of [OUTPUT, 'build']) rmSync(join(dir, ...projectPath(v.a, f).split('/')), { recursive: true, force: true });
    if (made.skipped.length) report.warn(`${CHECK.built(tags)}: left out of the project copy: ${describeSkipped(made.skipped)}`);
  } catch (e) {
    for (const n of names.slice(1, -1)) report.add(n, 'fail', `copying the project: ${(e as Error).message}`);
    await Promise.all([help, stop]);
    return;
  }
  sandbox.hostDirs.add(dir);
  try {
    const cache = await sandbox.volume('pip-cache');
    // In the project folder (compose's working_dir): the repository root, or the package's subfolder.
    const workdir = v.a.projectDir === '.' ? IN_IMAGE.workdir : `${IN_IMAGE.workdir}/${v.a.projectDir}`;
    const build = () =>
      sandbox.run({
        workingDir: workdir,
        image,
        cmd: ['wheels', '--python', present.map((x) => x.version).join(','), '--output', OUTPUT, '--verbose'],
        binds: [`${dir}:${IN_IMAGE.workdir}`],
        volumes: [{ name: cache, target: IN_IMAGE.pipCache }],
        env: pip.env,
        network: v.buildNetwork,
        hostConfig: AS_COMPOSE,
        timeoutMs,
      });
    if (present.length === 0) {
      report.add(CHECK.built(tags), 'fail', `${absent.map((x) => `${x.tag}: /opt/python/${x.tag}-${x.tag}/bin/python is not in the image`).join('; ')}${probe.exitCode === 0 ? '' : ` (${tail(probe)})`}`);
      for (const n of names.slice(2, -1)) report.add(n, 'skip', 'no wheel was built');
      return;
    }
    const first = await build();
    const out = join(dir, ...projectPath(v.a, OUTPUT).split('/'));
    const wheels = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.whl')).sort() : [];
    const wheelOf = (tag: string) => wheels.filter((f) => wheelTags(f)?.py.includes(tag));
    const problems = [
      ...absent.map((x) => `${x.tag}: /opt/python/${x.tag}-${x.tag}/bin/python is not in the image`),
      ...(first.exitCode === 0 ? [] : [`the build failed (${tail(first)})`]),
      ...present.filter((x) => wheelOf(x.tag).length !== 1).map((x) => `${x.tag}: ${wheelOf(x.tag).length} wheels in ${OUTPUT}/ (want 1)`),
    ];
    report.add(CHECK.built(tags), problems.length ? 'fail' : 'pass', problems.length ? problems.join('; ') : `${wheels.join(', ')} (${pip.note})`);
    if (wheels.length === 0) {
      for (const n of names.slice(2, -1)) report.add(n, 'skip', 'no wheel was built');
      return;
    }

    const unrepaired = wheels.filter((f) => !wheelTags(f)?.plat.every((t) => t.startsWith('manylinux')));
    report.add(CHECK.repaired, unrepaired.length ? 'fail' : 'pass', unrepaired.length ? `no manylinux platform tag: ${unrepaired.join(', ')}` : 'every wheel is tagged manylinux');

    const wrong = wrongOwners(dir, ids);
    report.add(CHECK.owner, wrong.length ? 'fail' : 'pass', wrong.length ? `not ${ids.uid}:${ids.gid}: ${wrong.join(', ')}` : `everything in the checkout is ${ids.uid}:${ids.gid}'s, no chown`);

    const imports = present.map(async (x) => {
      const name = CHECK.imported(x.tag);
      const [wheel] = wheelOf(x.tag);
      if (!wheel) return report.add(name, 'skip', `no ${x.tag} wheel was built`);
      const testImage = `${testRepo}:${x.version}-slim`;
      const missing = await sandbox.ensureImage(testImage);
      if (missing) return report.add(name, 'fail', `${missing} (TEST_IMAGE_REPO sets the clean image's repository)`);
      const r = await sandbox.run({
        image: testImage,
        cmd: ['sh', '-ec', 'python -m pip install --no-cache-dir "/dist/$1"; shift; python -c "$@"', 'sh', wheel, IMPORT_CHECK, ...p.imports],
        binds: [`${out}:/dist:ro`],
        env: pip.env,
        network: v.buildNetwork,
        hostConfig: { Init: true },
        timeoutMs,
      }).catch((e: Error) => ({ exitCode: -1, stdout: '', stderr: `${testImage}: ${e.message} (TEST_IMAGE_REPO sets the clean image's repository)` }));
      report.add(name, r.exitCode === 0 ? 'pass' : 'fail', r.exitCode === 0 ? `${testImage}: ${r.stdout.trim().split('\n').pop()}` : `${testImage}: ${tail(r)}`);
    });

    // After the imports (it rewrites the wheels they read): the same build with the same cache volume.
    await Promise.all(imports);
    await (async () => {
      const before = pipDownloads(`${first.stdout}\n${first.stderr}`);
      if (before.length === 0) return report.add(CHECK.cache, 'skip', 'the first build downloaded no pip package (no build dependency came from an index): nothing to compare');
      const second = await build();
      if (second.exitCode !== 0) return report.add(CHECK.cache, 'fail', `the second build failed (${tail(second)})`);
      const again = pipDownloads(`${second.stdout}\n${second.stderr}`);
      // pip caches nothing fetched over plain http from a host it does not trust.
      const hint = /^http:/.test(pip.env.PIP_INDEX_URL ?? '') && !pip.env.PIP_TRUSTED_HOST ? ' (an http:// index is cached only when PIP_TRUSTED_HOST names its host)' : '';
      report.add(CHECK.cache, again.length ? 'fail' : 'pass', again.length ? `downloaded again: ${again.join(', ')}${hint}` : `first build downloaded ${before.join(', ')}; the second took them from the cache volume`);
    })();
  } finally {
    await Promise.all([help, stop]);
    rmSync(dir, { recursive: true, force: true });
    sandbox.hostDirs.delete(dir);
  }
}

/** `docker stop` while the entrypoint's command runs as the checkout's owner, run as compose runs it. */
function stopCheck(v: PresetVerifyContext, image: string, ids: ReturnType<typeof hostIds>): Promise<void> {
  const { sandbox, report, timeoutMs } = v;
  return runStopCheck({ sandbox, report, timeoutMs, name: CHECK.stop, image, ids, mountAt: IN_IMAGE.workdir, workingDir: IN_IMAGE.workdir, hostConfig: AS_COMPOSE, init: "docker's init" });
}
