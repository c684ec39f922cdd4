// `create-pio-docker verify [DIR]`: builds every image target through the Engine API with
// BuildKit and runs behaviour checks in real containers. Exit 0 all passed, 1 a check failed,
// 2 usage or engine error.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { imageRepo, type Answers } from '../core/answers.js';
import { UsageError } from '../core/rows.js';
import { buildImage, BuildError, contextEntries, type BuildEvent, type Step } from '../engine/build.js';
import { connect } from '../engine/connect.js';
import { FILES } from '../core/paths.js';
import { loadState, STATE_FILE } from '../pipeline/state.js';
import { presetOf } from '../presets/index.js';
import { checkCompose, readComposeFiles } from '../verify/compose-checks.js';
import { redact } from '../core/safety/redact.js';
import { checkReportPath, readInputFile, VerifyInputError, writeReportFile } from '../verify/input.js';
import { dockerfileStages, globalArgDefault, planTargets } from '../verify/plan.js';
import { Report } from '../verify/report.js';
import { Sandbox } from '../verify/sandbox.js';
import { resolveSettings } from '../verify/settings.js';

export interface VerifyOptions {
  targets: string[];
  buildArgs: Record<string, string>;
  /** Network for RUN steps and the firmware build: host or default (unset: BUILD_NETWORK, else default). */
  network?: 'host' | 'default';
  /** Where to write the JSON report; `-` is stdout. */
  json?: string;
  timeoutSec: number;
  keep: boolean;
  noCache: boolean;
}

const ARCH: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

function readAnswers(dir: string): Answers {
  const loaded = loadState(dir);
  if (!loaded) throw new UsageError(`${dir} has no answers of create-pio-docker (${STATE_FILE}): scaffold it first with create-pio-docker`);
  return loaded.state.answers;
}

export { VerifyInputError };

/**
 * Runs verify. Bad input (flags, project files: VerifyInputError) and no engine to talk to
 * (EngineUnavailableError) reach the CLI, which prints their one `error:` line and exits 2. Every
 * line it prints (progress, the table, --json, errors) goes through the redactor, with the
 * secrets among the build settings (URL user-info of PIP_INDEX_URL, ...) as known values.
 */
export async function verifyCommand(dir: string, o: VerifyOptions): Promise<number> {
  const secrets: string[] = Object.entries(o.buildArgs).flatMap(([k, v]) => (redact(`${k}=${v}`) === `${k}=${v}` ? [] : [v]));
  const out: Out = {
    secrets,
    err: (text) => process.stderr.write(redact(text, out.secrets)),
    out: (text) => process.stdout.write(redact(text, out.secrets)),
  };
  try {
    return await runVerify(dir, o, out);
  } catch (e) {
    // The CLI prints a known failure's one line: it must not hold a secret either.
    if (e instanceof Error) e.message = redact(e.message, out.secrets);
    throw e;
  }
}

/** verify's two output streams, redacted; `secrets` grows once the settings are read. */
interface Out {
  secrets: string[];
  err: (text: string) => void;
  out: (text: string) => void;
}

async function runVerify(dir: string, flags: VerifyOptions, io: Out): Promise<number> {
  // Everything read from the command line and the project is checked before connecting, so that
  // a bad input fails in a second, not after minutes of building.
  const jsonPath = flags.json !== undefined && flags.json !== '-' ? checkReportPath(flags.json) : undefined;
  const dockerfilePath = join(dir, FILES.dockerfile);
  if (!existsSync(dockerfilePath)) throw new UsageError(`no Dockerfile in ${dir}`);
  const dockerfile = readInputFile(dockerfilePath, dockerfilePath);
  const a = readAnswers(dir);
  const preset = presetOf(a);
  const settings = resolveSettings(dir, dockerfile, flags, preset.buildSettings);
  io.secrets.push(...settings.secrets);
  // The Engine API build has no client session for a BuildKit secret, so a credentialed index can
  // only be a build argument here: of verify's own images, which it removes at the end. Said once.
  for (const key of ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL']) {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(settings.buildArgs[key] ?? '')) {
      io.err(`note: ${key} holds a user or token: verify passes it as a build argument of its own images, removed at the end (scripts/build-docker.sh passes it as a BuildKit secret)\n`);
    }
  }
  const o: VerifyOptions = { ...flags, buildArgs: settings.buildArgs, network: settings.network };
  const plan = planTargets(dir, dockerfile, o.targets, preset.targets);
  const composeFiles = readComposeFiles(dir);
  try {
    contextEntries(dir);
  } catch (e) {
    throw new VerifyInputError(`cannot send ${dir} as the build context: ${(e as Error).message}`);
  }
  // Progress goes to stderr so that `--json -` leaves stdout to the report.
  const log = (line: string) => io.err(`${line}\n`);
  const report = new Report(log, (text) => redact(text, io.secrets));

  const engine = await connect();
  const { docker } = engine;
  const runId = randomBytes(4).toString('hex');
  const sandbox = new Sandbox(docker, runId);
  const timeoutMs = o.timeoutSec * 1000;
  log(`verify ${runId}: Docker ${engine.version} (${engine.arch}), targets: ${plan.targets.join(', ') || 'none'}`);
  log(`settings: ${settings.described.join(', ') || 'none (no --build-arg, nothing in the environment or .env): the Dockerfile defaults'}`);

  let interrupted = false;
  // `on`, not `once`: the listener stays until the end, so that execa's exit hook (running compose
  // commands at the same time) does not take the signal for unhandled and re-raise it. A second
  // signal during the cleanup ends verify at once.
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: cleaning up');
    void (o.keep ? Promise.resolve([]) : sandbox.cleanup()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await checkArchitecture(engine.arch, dockerfile, o, a.platforms, report, docker);
    for (const t of plan.notBuilt) report.add(`build: ${t.target}`, 'skip', t.reason);
    for (const t of plan.missing) report.add(`build: ${t}`, 'fail', `the Dockerfile has no stage ${t} (FROM ... AS ${t}), which the ${preset.id} checks run in`);

    const images: Record<string, string> = {};
    for (const target of plan.targets) {
      const tag = `cpd-verify/${a.projectName}:${target}-${runId}`;
      try {
        const result = await buildImage({
          docker,
          contextDir: dir,
          target,
          tag,
          buildargs: o.buildArgs,
          networkmode: settings.network,
          labels: sandbox.labels,
          nocache: o.noCache,
          timeoutMs,
          onEvent: progressPrinter(target, log, io.err),
        });
        const steps = instructionSteps(result.steps);
        const cached = steps.filter((s) => s.cached).length;
        images[target] = tag;
        report.add(`build: ${target}`, 'pass', `${steps.length} steps, ${cached} CACHED, ${(result.durationMs / 1000).toFixed(1)} s`);
      } catch (e) {
        if (!(e instanceof BuildError)) throw e;
        report.add(`build: ${target}`, 'fail', `${e.message}${e.step ? `\n  step: ${e.step}` : ''}${e.logTail.length ? `\n  ${e.logTail.join('\n  ')}` : ''}`);
      }
    }

    // Independent: the compose checks run while the containers do.
    await Promise.all([
      preset.verify({ a, sandbox, report, projectDir: dir, images, timeoutMs, buildNetwork: settings.network === 'host' ? 'host' : 'bridge', buildArgs: o.buildArgs }),
      checkCompose(dir, imageRepo(a), dockerfileStages(dockerfile), report, { timeoutMs, composeFiles }),
    ]);
    // Interrupted: the checks ended as cleanup removed their containers; the signal handler exits.
    if (interrupted) await new Promise(() => {});
  } catch (e) {
    // Interrupted: checks fail as cleanup removes their containers; the signal handler exits.
    if (interrupted) await new Promise(() => {});
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!interrupted) {
      if (o.keep) log(`--keep: left containers, volumes and images labelled create-pio-docker.verify=${runId}`);
      else for (const p of await sandbox.cleanup()) report.warn(`cleanup: ${p}`);
    }
  }

  const table = report.table();
  if (o.json === '-') {
    io.err(`\n${table}\n`);
    io.out(report.json({ runId, engine: { version: engine.version, arch: engine.arch } }));
  } else {
    io.out(`\n${table}\n`);
    if (jsonPath) writeReportFile(jsonPath, redact(report.json({ runId, engine: { version: engine.version, arch: engine.arch } }), io.secrets), runId);
  }
  return report.failed ? 1 : 0;
}

/**
 * The Dockerfile's own instructions among BuildKit's steps (`[stage 3/9] RUN ...`), without its
 * internal steps (loading the context, exporting) and FROM, which BuildKit never marks CACHED.
 */
function instructionSteps(steps: Step[]): Step[] {
  return steps.filter((s) => /^\[[^\]]+ \d+\/\d+\] (?!FROM )/.test(s.name));
}

/** Host vs base image architecture, and a warning for platforms that need emulation. */
async function checkArchitecture(engineArch: string, dockerfile: string, o: VerifyOptions, platforms: string[], report: Report, docker: Sandbox['docker']): Promise<void> {
  const host = ARCH[engineArch] ?? engineArch;
  const base = o.buildArgs.BASE_IMAGE ?? globalArgDefault(dockerfile, 'BASE_IMAGE') ?? '(unknown)';
  for (const p of platforms) {
    if (p !== `linux/${host}`) report.warn(`${p} differs from the engine's linux/${host}: building it needs emulation (binfmt/QEMU) and is slow; verify builds linux/${host} only`);
  }
  try {
    const img = await docker.getImage(base).inspect();
    const arch = ARCH[img.Architecture] ?? img.Architecture;
    report.add('architecture', arch === host ? 'pass' : 'fail', arch === host ? `engine and ${base} are linux/${host}` : `${base} is linux/${arch} but the engine is linux/${host}: it would run under emulation`);
  } catch {
    report.warn(`base image ${base} is not present locally: the build will try to pull it`);
  }
}

function progressPrinter(target: string, log: (line: string) => void, write: (text: string) => void): (e: BuildEvent) => void {
  const tty = Boolean(process.stderr.isTTY);
  return (e) => {
    if (e.type === 'step-done') {
      const status = e.cached ? 'CACHED' : e.error ? `ERROR ${e.error}` : `DONE ${(e.durationMs / 1000).toFixed(1)}s`;
      if (tty) write('\r\x1b[K');
      log(`[${target}] ${e.name} ${status}`);
    } else if (e.type === 'step-start' && tty) {
      write(`\r\x1b[K[${target}] ${e.name.slice(0, (process.stderr.columns ?? 80) - target.length - 4)}`);
    }
  };
}
