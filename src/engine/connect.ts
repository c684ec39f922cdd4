// Finds the Docker Engine the way the docker CLI does (DOCKER_HOST, else the default socket) and
// checks that it answers, so that `verify` fails in a second with one actionable message.
import Dockerode from 'dockerode';
import { CpdError, EXIT } from '../core/errors.js';

export class EngineUnavailableError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

export interface Engine {
  docker: Dockerode;
  /** Engine version, e.g. `20.10.24+dfsg1`. */
  version: string;
  /** Engine architecture as Go names it: `amd64`, `arm64`. */
  arch: string;
}

const FIX = 'Start Docker (e.g. `sudo systemctl start docker`) or set DOCKER_HOST to a running engine (e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock).';

export async function connect(timeoutMs = 5000): Promise<Engine> {
  const host = process.env.DOCKER_HOST;
  let docker: Dockerode;
  try {
    docker = new Dockerode();
  } catch (e) {
    throw new EngineUnavailableError(`cannot use DOCKER_HOST=${host}: ${(e as Error).message}. ${FIX}`);
  }
  const modem = docker.modem as unknown as { getSocketPath(): Promise<string | undefined> };
  const socket = await modem.getSocketPath();
  const where = host ? `DOCKER_HOST=${host}` : `the default socket ${socket}`;
  try {
    // dockerode takes an abortSignal here; its type definitions do not say so.
    type WithSignal<T> = (o: { abortSignal: AbortSignal }) => Promise<T>;
    await (docker.ping.bind(docker) as unknown as WithSignal<unknown>)({ abortSignal: AbortSignal.timeout(timeoutMs) });
    const v = await (docker.version.bind(docker) as unknown as WithSignal<Dockerode.DockerVersion>)({ abortSignal: AbortSignal.timeout(timeoutMs) });
    return { docker, version: v.Version, arch: v.Arch };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.code === 'ENOENT' ? `${socket} does not exist` : err.message;
    const hint = err.code === 'EACCES' ? ' Permission denied: add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or run with sudo.' : ` ${FIX}`;
    throw new EngineUnavailableError(`no Docker Engine answers at ${where} (${reason}).${hint}`);
  }
}
