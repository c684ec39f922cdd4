// Builds one Dockerfile target with BuildKit through the Engine API (`POST /build?version=2`):
// the project directory goes up as a tar (honouring .dockerignore), progress comes back as
// BuildKit trace lines that ./trace.ts decodes into steps, log lines and events.
import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join, posix } from 'node:path';
import { addAbortSignal } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import { durationMs, parseResponseLine, Trace, type BuildEvent } from './trace.js';
import { InputFileError, readInputFile, unreadable } from '../core/safety/read.js';
import { CpdError, EXIT } from '../core/errors.js';

export type { BuildEvent } from './trace.js';

export interface Step {
  name: string;
  cached: boolean;
  durationMs: number;
  error?: string;
}

export interface BuildOptions {
  docker: Dockerode;
  contextDir: string;
  target?: string;
  tag: string;
  buildargs: Record<string, string>;
  networkmode: 'host' | 'default';
  labels: Record<string, string>;
  nocache: boolean;
  timeoutMs: number;
  onEvent?: (e: BuildEvent) => void;
  /** Receives every raw response line (for recording progress fixtures). */
  onRawLine?: (line: string) => void;
}

export interface BuildResult {
  imageId: string;
  steps: Step[];
  durationMs: number;
}

/** LOG_TAIL lines of the failing step's output travel with the error. */
const LOG_TAIL = 15;

export class BuildError extends CpdError {
  readonly exitCode = EXIT.failed;
  constructor(
    message: string,
    /** Name of the failing step (BuildKit vertex), when one is known. */
    readonly step: string | undefined,
    /** The failing step's last log lines. */
    readonly logTail: string[],
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export async function buildImage(o: BuildOptions): Promise<BuildResult> {
  const t0 = Date.now();
  const trace = new Trace();
  const emit = (events: BuildEvent[]) => {
    if (o.onEvent) for (const e of events) o.onEvent(e);
  };
  const errorAt = (message: string, v = trace.failed()) => new BuildError(message, v?.name, v ? trace.logLines(v.digest).slice(-LOG_TAIL) : []);

  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, o.timeoutMs);
  const context = contextTar(o.contextDir);
  let imageId: string | undefined;
  let failure: string | undefined;
  try {
    const res = await postBuild(o, context, abort.signal);
    // The modem only wires the signal to the request; the response must be cut too.
    addAbortSignal(abort.signal, res);
    res.setEncoding('utf8'); // decodes characters split across chunks
    let rest = '';
    const handle = (line: string) => {
      if (!line.trim()) return;
      o.onRawLine?.(line);
      const r = parseResponseLine(line);
      if (r.kind === 'trace') emit(trace.update(r.status));
      else if (r.kind === 'image') imageId = r.id;
      else if (r.kind === 'error') failure = r.message;
      else if (r.kind === 'stream') for (const l of r.text.split('\n').filter(Boolean)) o.onEvent?.({ type: 'log', name: '', stream: 'stdout', line: l });
    };
    for await (const chunk of res as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      lines.forEach(handle);
    }
    handle(rest);
  } catch (e) {
    if (timedOut) {
      emit(trace.finish());
      throw errorAt(`timed out after ${Math.round(o.timeoutMs / 1000)} s`, trace.running());
    }
    throw new BuildError(`build request failed: ${(e as Error).message}`, undefined, []);
  } finally {
    clearTimeout(timer);
    context.destroy();
  }
  emit(trace.finish());
  if (failure !== undefined) throw errorAt(failure);
  if (!imageId) throw errorAt('the build ended without an image id');
  const steps = [...trace.vertexes.values()].map((v) => ({ name: v.name, cached: v.cached, durationMs: durationMs(v), ...(v.error ? { error: v.error } : {}) }));
  return { imageId, steps, durationMs: Date.now() - t0 };
}

/**
 * POST /build through docker-modem directly: dockerode's buildImage opens a gRPC session for
 * version 2, which a tar-context build does not need. `Connection: close` because keep-alive
 * makes BuildKit builds hang on newer engines (docker-modem issue #196).
 */
function postBuild(o: BuildOptions, context: tar.Pack, signal: AbortSignal): Promise<IncomingMessage> {
  const query: Record<string, unknown> = {
    t: o.tag,
    version: '2',
    buildargs: o.buildargs,
    labels: o.labels,
    networkmode: o.networkmode,
    nocache: o.nocache,
    rm: true,
  };
  if (o.target) query.target = o.target;
  return new Promise((resolve, reject) => {
    o.docker.modem.dial(
      {
        path: '/build?',
        method: 'POST',
        options: query,
        file: context as unknown as NodeJS.ReadableStream, // a streamx Readable, which pipes like a Node one
        isStream: true,
        abortSignal: signal,
        headers: { ...(o.docker.modem as { headers?: Record<string, string> }).headers, 'Content-Type': 'application/x-tar', Connection: 'close' },
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      },
      (err, res) => (err ? reject(err) : resolve(res as IncomingMessage)),
    );
  });
}

// --- build context -------------------------------------------------------------------------

interface Pattern {
  re: RegExp;
  exception: boolean;
  /** The literal start of the pattern, before any wildcard. */
  prefix: string;
}

/** Docker's pattern syntax: `*` and `?` stay within a path segment, `**` spans segments. */
function patternRegExp(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '*' && p[i + 1] === '*') {
      i++;
      if (p[i + 1] === '/') i++;
      re += i + 1 >= p.length ? '.*' : '(.*/)?';
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < p.length) re += `\\${p[++i]}`;
    else if (ch === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${p.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * A .dockerignore matcher with Docker's semantics: patterns are cleaned paths relative to the
 * context, `!` re-includes, the last matching pattern wins, and a pattern matching a directory
 * matches everything below it.
 */
export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const exception = line.startsWith('!');
      if (exception) line = line.slice(1).trim();
      line = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
      if (!line || line === '.') continue;
      this.patterns.push({ re: patternRegExp(line), exception, prefix: line.split(/[*?[\\]/)[0] });
    }
  }

  /** Whether a context-relative path (`/`-separated) is left out of the context. */
  ignores(path: string): boolean {
    const parts = path.split('/');
    const candidates = parts.map((_, n) => parts.slice(0, n + 1).join('/'));
    let ignored = false;
    for (const p of this.patterns) {
      if (p.exception !== ignored) continue; // an exception only matters once something matched
      if (candidates.some((c) => p.re.test(c))) ignored = !p.exception;
    }
    return ignored;
  }

  /** Whether an exception could re-include something below an ignored directory. */
  mayReinclude(dir: string): boolean {
    const d = `${dir}/`;
    return this.patterns.some((p) => p.exception && (d.startsWith(p.prefix) || p.prefix.startsWith(d)));
  }
}

/** Larger than any real .dockerignore by far. */
const MAX_DOCKERIGNORE_BYTES = 1024 * 1024;

/**
 * The text of DIR/.dockerignore, or '' when there is none. Like `docker build`, a symlink is
 * followed (only its patterns are used), but only a regular file is read: a FIFO or device cannot
 * hang or flood the build.
 */
function readDockerignore(dir: string): string {
  try {
    return readInputFile(join(dir, '.dockerignore'), '.dockerignore', MAX_DOCKERIGNORE_BYTES);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    if (e.code === 'ENOENT') return ''; // no .dockerignore: send everything
    throw new Error(unreadable(e, '.dockerignore', MAX_DOCKERIGNORE_BYTES));
  }
}

/**
 * Context-relative paths to send, directories before their contents. Never descends through a
 * symlink (a link is one entry, sent as a link).
 */
export function contextEntries(dir: string): string[] {
  const ignore = new DockerIgnore(readDockerignore(dir));
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      // The engine needs these even when ignored, as `docker build` does.
      const ignored = ignore.ignores(path) && path !== 'Dockerfile' && path !== '.dockerignore';
      if (d.isDirectory()) {
        if (!ignored) out.push(path);
        if (!ignored || ignore.mayReinclude(path)) walk(path);
      } else if (!ignored) out.push(path);
    }
  };
  walk('');
  return out;
}

/**
 * The build context as an uncompressed tar stream, as `docker build` sends it: a symlink goes in
 * as a symlink entry (its target text, never what it points at), files are opened with
 * O_NOFOLLOW (a file swapped for a link meanwhile is not followed), FIFOs, sockets and devices
 * are left out.
 */
export function contextTar(dir: string): tar.Pack {
  const pack = tar.pack();
  void (async () => {
    for (const rel of contextEntries(dir)) {
      const full = join(dir, rel);
      const st = lstatSync(full);
      const header = { name: rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      if (st.isDirectory()) pack.entry({ ...header, type: 'directory' });
      else if (st.isSymbolicLink()) pack.entry({ ...header, type: 'symlink', linkname: readlinkSync(full) });
      else if (st.isFile()) {
        const fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        let size: number;
        try {
          const fst = fstatSync(fd);
          if (!fst.isFile()) throw new Error(`${rel} changed while the build context was being sent`);
          size = fst.size;
        } catch (e) {
          closeSync(fd);
          throw e;
        }
        if (size === 0) {
          closeSync(fd);
          pack.entry({ ...header, size: 0 }, Buffer.alloc(0));
        } else await pipeline(createReadStream('', { fd, start: 0, end: size - 1 }), pack.entry({ ...header, size }));
      }
    }
    pack.finalize();
  })().catch((e: Error) => pack.destroy(e));
  return pack;
}
