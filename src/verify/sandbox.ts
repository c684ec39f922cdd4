// Everything verify creates (containers, volumes, images) carries the run's label, so cleanup can
// find it all again: at the end, on failure, and on Ctrl-C.
import { rmSync } from 'node:fs';
import type Docker from 'dockerode';

export const RUN_LABEL = 'create-pio-docker.verify';

export interface RunOptions {
  image: string;
  cmd?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  /** `host:container` bind mounts. */
  binds?: string[];
  volumes?: { name: string; target: string }[];
  user?: string;
  /** The container's working folder (compose's `working_dir`); absent: the image's WORKDIR. */
  workingDir?: string;
  /** Network mode; `none` unless a check needs the network. */
  network?: string;
  /** More HostConfig (CapDrop, SecurityOpt, ReadonlyRootfs, Tmpfs...), merged over the defaults. */
  hostConfig?: Docker.HostConfig;
  timeoutMs: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Splits Docker's multiplexed log stream (8-byte frame headers) into stdout and stderr. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Waits until `container` runs a process whose command line matches `re` (the entrypoint is done). */
export async function waitForProcess(container: Docker.Container, re: RegExp, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const top = await container.top().catch(() => null);
    const cmd = top?.Titles.indexOf('CMD') ?? -1;
    if (top && cmd >= 0 && top.Processes.some((p: string[]) => re.test(p[cmd]))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export class Sandbox {
  readonly labels: Record<string, string>;
  /** Host folders the checks bind-mount (project copies); cleanup removes those still there. */
  readonly hostDirs = new Set<string>();
  private volumeCount = 0;
  // Once cleanup starts (at the end, or on Ctrl-C while checks still run) nothing new is made, and
  // cleanup waits for creations already sent, so none of them escapes it.
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  private track<T>(make: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('verify is cleaning up'));
    const p = make();
    this.inFlight.add(p);
    const forget = () => this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  constructor(
    readonly docker: Docker,
    readonly runId: string,
  ) {
    this.labels = { [RUN_LABEL]: runId };
  }

  /** A fresh, labelled named volume. */
  async volume(purpose: string): Promise<string> {
    const name = `cpd-verify-${this.runId}-${purpose}-${++this.volumeCount}`;
    await this.track(() => this.docker.createVolume({ Name: name, Labels: this.labels }));
    return name;
  }

  private offline?: Promise<string>;

  /**
   * `none`, shared: the network mode of a labelled container (network `none`) that every check
   * without a network joins, instead of each getting its own empty network namespace (which costs
   * the engine half a second per container here). Falls back to plain `none`.
   */
  private offlineMode(image: string): Promise<string> {
    this.offline ??= (async () => {
      try {
        const holder = await this.track(() => this.docker.createContainer({
          Image: image,
          Entrypoint: ['sleep', 'infinity'],
          Cmd: [],
          Labels: this.labels,
          HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], ReadonlyRootfs: true },
        }));
        await holder.start();
        // An image without `sleep`: the holder is gone at once, and nothing could join it.
        return (await holder.inspect()).State.Running ? `container:${holder.id}` : 'none';
      } catch {
        return 'none';
      }
    })();
    return this.offline;
  }

  /**
   * Pulls `image` when the engine lacks it (a clean image to test in; BuildKit's pull of a base need
   * not leave one). null when it is there; else why not, in one line.
   */
  async ensureImage(image: string): Promise<string | null> {
    try {
      await this.docker.getImage(image).inspect();
      return null;
    } catch {
      /* not here: pull it */
    }
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())));
      return null;
    } catch (e) {
      return `${image} is not on the engine and could not be pulled: ${(e as Error).message}`;
    }
  }

  /** Creates a labelled container (not started) for checks that drive it themselves. */
  async create(o: Omit<RunOptions, 'timeoutMs'>, extra: Partial<Docker.ContainerCreateOptions> = {}): Promise<Docker.Container> {
    const network = !o.network || o.network === 'none' ? await this.offlineMode(o.image) : o.network;
    return this.track(() => this.docker.createContainer({
      Image: o.image,
      Cmd: o.cmd,
      Entrypoint: o.entrypoint,
      User: o.user,
      WorkingDir: o.workingDir,
      Env: Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: this.labels,
      HostConfig: {
        NetworkMode: network,
        Binds: o.binds,
        Mounts: (o.volumes ?? []).map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target })),
        ...o.hostConfig,
      },
      ...extra,
    }));
  }

  /** Runs a container to completion (or the timeout) and returns its exit code and output. */
  async run(o: RunOptions): Promise<RunResult> {
    const container = await this.create(o);
    try {
      await container.start();
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        container.wait() as Promise<{ StatusCode: number }>,
        new Promise<null>((resolve) => (timer = setTimeout(resolve, o.timeoutMs, null))),
      ]).finally(() => clearTimeout(timer));
      if (waited === null) {
        await container.kill().catch(() => {});
        const logs = demux((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
        return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n(timed out after ${o.timeoutMs / 1000} s)` };
      }
      const logs = demux((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
      return { exitCode: waited.StatusCode, ...logs };
    } finally {
      await container.remove({ force: true, v: true }).catch(() => {});
    }
  }

  /**
   * Runs `cmd` in the running `container` (docker exec) and returns its exit code and output.
   * `user` as in `docker exec --user`; default: the container's (here root).
   */
  async exec(container: Docker.Container, cmd: string[], o: { user?: string; timeoutMs: number }): Promise<RunResult> {
    const exec = await this.track(() => container.exec({ Cmd: cmd, User: o.user, AttachStdout: true, AttachStderr: true }));
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      new Promise<boolean>((resolve) => {
        stream.on('data', (d: Buffer) => chunks.push(d));
        stream.on('end', () => resolve(true));
        stream.on('close', () => resolve(true));
        stream.on('error', () => resolve(true));
      }),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, o.timeoutMs, false))),
    ]).finally(() => clearTimeout(timer));
    const out = demux(Buffer.concat(chunks));
    if (!ended) {
      stream.destroy();
      return { exitCode: -1, stdout: out.stdout, stderr: `${out.stderr}\n(timed out after ${o.timeoutMs / 1000} s)` };
    }
    // The stream can end a moment before the engine records the exit code.
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, ...out };
      await new Promise((r) => setTimeout(r, 20));
    }
    return { exitCode: -1, stdout: out.stdout, stderr: `${out.stderr}\n(no exit code)` };
  }

  /** Removes every container, volume and image carrying this run's label. */
  async cleanup(): Promise<string[]> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const filters = JSON.stringify({ label: [`${RUN_LABEL}=${this.runId}`] });
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
      }
    };
    for (const c of await this.docker.listContainers({ all: true, filters })) {
      await attempt(`container ${c.Id.slice(0, 12)}`, () => this.docker.getContainer(c.Id).remove({ force: true, v: true }));
    }
    const { Volumes } = await this.docker.listVolumes({ filters });
    for (const v of Volumes ?? []) await attempt(`volume ${v.Name}`, () => this.docker.getVolume(v.Name).remove());
    for (const img of await this.docker.listImages({ filters })) {
      for (const tag of img.RepoTags ?? []) if (tag !== '<none>:<none>') await attempt(`image ${tag}`, () => this.docker.getImage(tag).remove({ noprune: false }));
    }
    // After the containers, so that nothing writes into them any more (Ctrl-C mid-check).
    for (const dir of this.hostDirs) await attempt(`folder ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
    this.hostDirs.clear();
    return problems;
  }
}
