// Engine tests need a real Docker Engine (see test/engine/setup-engine.sh). Without one they skip,
// except under CI=true, where a missing engine is a test failure. test/run.mjs checks the engine
// first (a reachable engine without the test images is set up, or the run fails) and names the
// skipped suites in one line at the end: each suite appends its title to CPD_ENGINE_SKIPS.
import { appendFileSync } from 'node:fs';
import Docker from 'dockerode';
import { suite, type Test } from 'uvu';

export const SETUP_HINT = 'start one with: bash test/engine/setup-engine.sh';
const IMAGES_HINT = 'create it with: bash test/engine/setup-engine.sh';
/** Local stand-ins for the official base images; never tagged with an official name. */
export const TEST_IMAGES = { debian: 'cpd-test/debian:bookworm', python: 'cpd-test/python:bookworm', golang: 'cpd-test/golang:bookworm' } as const;

export type EngineState = { available: true; docker: Docker } | { available: false; reason: string };

/** Pings the engine at DOCKER_HOST or the default socket, giving up after timeoutMs. */
export async function engineState(timeoutMs = 3000): Promise<EngineState> {
  let docker: Docker;
  try {
    docker = new Docker();
  } catch (e) {
    return { available: false, reason: `bad DOCKER_HOST: ${(e as Error).message}` };
  }
  const where = process.env.DOCKER_HOST || '/var/run/docker.sock';
  try {
    // The abort also closes the connection, so a silent engine does not keep the process alive.
    // (@types/dockerode lacks ping's options; dockerode hands abortSignal to the request.)
    const ping = docker.ping.bind(docker) as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
    return { available: true, docker };
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.message;
    return { available: false, reason: `no Docker Engine at ${where} (${why})` };
  }
}

/** The local test base images that are not there. */
export async function missingTestImages(docker: Docker): Promise<string[]> {
  const images = Object.values(TEST_IMAGES);
  const found = await Promise.all(images.map((i) => docker.getImage(i).inspect().then(() => true, () => false)));
  return images.filter((_, n) => !found[n]);
}

/** Throws, naming the setup script, unless the local test base images exist. */
export async function ensureTestImages(docker: Docker): Promise<void> {
  const missing = await missingTestImages(docker);
  if (missing.length) throw new Error(`missing test image ${missing.join(', ')} (${IMAGES_HINT})`);
}

/**
 * A uvu suite for engine tests. With an engine (and the test images): a plain suite plus the
 * client. Without: prints `engine tests skipped: REASON (...)` once and every test registered on
 * the returned suite is skipped (hooks are dropped); under CI=true one more test fails with the
 * reason, so a missing engine is never a silent skip.
 */
let printed = false;

export async function engineSuite(title: string): Promise<{ test: Test; docker: Docker }> {
  const state = await engineState();
  let reason: string; // says why, ending with how to fix it
  if (!state.available) reason = `${state.reason} (${SETUP_HINT})`;
  else {
    const missing = await missingTestImages(state.docker);
    if (!missing.length) return { test: suite(title), docker: state.docker };
    reason = `missing test image ${missing.join(', ')} (${IMAGES_HINT})`;
  }

  const real = suite(title);
  if (process.env.CI === 'true') {
    real('Docker Engine and test images available (required when CI=true)', () => {
      throw new Error(reason);
    });
  } else if (process.env.CPD_ENGINE_SKIPS) {
    appendFileSync(process.env.CPD_ENGINE_SKIPS, `${title}\t${reason}\n`);
  } else if (!printed) {
    printed = true;
    console.log(`engine tests skipped: ${reason}`);
  }
  const skipOne = (name?: string) => real.skip(name);
  const noop = Object.assign(() => {}, { each: () => {} });
  const skip: Test = Object.assign(skipOne, { only: skipOne, skip: skipOne, before: noop, after: noop, run: () => real.run() });
  const docker = new Proxy({} as Docker, {
    get: () => {
      throw new Error(`no Docker Engine: ${reason}`);
    },
  });
  return { test: skip, docker };
}
