// Decodes BuildKit progress from the Engine's `/build?version=2` response: lines
// `{"id":"moby.buildkit.trace","aux":"<base64>"}` whose payload is a protobuf
// `moby.buildkit.v1.StatusResponse`, and folds them into steps, log lines and build events.
import protobuf from 'protobufjs';

// Trimmed from moby/buildkit api/services/control/control.proto (field numbers are the wire
// contract). Fields left out (progressGroup, warning details) are skipped by the decoder, so the
// same schema reads old and new engines alike.
const Timestamp = { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } };
const root = protobuf.Root.fromJSON({
  nested: {
    StatusResponse: {
      fields: {
        vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
        statuses: { rule: 'repeated', type: 'VertexStatus', id: 2 },
        logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
        warnings: { rule: 'repeated', type: 'VertexWarning', id: 4 },
      },
    },
    Vertex: {
      fields: {
        digest: { type: 'string', id: 1 },
        inputs: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        cached: { type: 'bool', id: 4 },
        started: { type: 'Timestamp', id: 5 },
        completed: { type: 'Timestamp', id: 6 },
        error: { type: 'string', id: 7 },
      },
    },
    VertexStatus: {
      fields: {
        ID: { type: 'string', id: 1 },
        vertex: { type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        current: { type: 'int64', id: 4 },
        total: { type: 'int64', id: 5 },
        timestamp: { type: 'Timestamp', id: 6 },
        started: { type: 'Timestamp', id: 7 },
        completed: { type: 'Timestamp', id: 8 },
      },
    },
    VertexLog: {
      fields: {
        vertex: { type: 'string', id: 1 },
        timestamp: { type: 'Timestamp', id: 2 },
        stream: { type: 'int64', id: 3 },
        msg: { type: 'bytes', id: 4 },
      },
    },
    VertexWarning: {
      fields: {
        vertex: { type: 'string', id: 1 },
        level: { type: 'int64', id: 2 },
        short: { type: 'bytes', id: 3 },
        url: { type: 'string', id: 5 },
      },
    },
    Timestamp,
  },
});
const StatusResponseType = root.lookupType('StatusResponse');

interface RawTimestamp {
  seconds: number;
  nanos: number;
}
export interface StatusResponse {
  vertexes: { digest: string; inputs: string[]; name: string; cached: boolean; started?: RawTimestamp; completed?: RawTimestamp; error: string }[];
  statuses: { ID: string; vertex: string; name: string; current: number; total: number }[];
  logs: { vertex: string; stream: number; msg: Uint8Array }[];
  warnings: { vertex: string; level: number; short: Uint8Array; url: string }[];
}

/** Decodes the base64 `aux` of a `moby.buildkit.trace` line. */
export function decodeStatus(aux: string): StatusResponse {
  const msg = StatusResponseType.decode(Buffer.from(aux, 'base64'));
  return StatusResponseType.toObject(msg, { longs: Number, arrays: true, defaults: true }) as StatusResponse;
}

const toMs = (t?: RawTimestamp | null): number | undefined => (t && (t.seconds || t.nanos) ? t.seconds * 1000 + Math.floor(t.nanos / 1e6) : undefined);

export interface Vertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Epoch milliseconds. */
  started?: number;
  completed?: number;
  error?: string;
}

/** Progress of one build: what `buildImage` reports through `onEvent`. `name` is the step
 * (BuildKit vertex) name; a log with name '' is an engine message outside any step. */
export type BuildEvent =
  | { type: 'step-start'; name: string }
  | { type: 'step-done'; name: string; cached: boolean; error?: string; durationMs: number }
  | { type: 'log'; name: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'warning'; name: string; message: string };

/** Lines kept per vertex: enough for an error's log tail without holding a whole build log. */
const KEEP_LINES = 200;

/** What a terminal would show for one line: the text after the last carriage return. */
function visible(line: string): string {
  const text = line.replace(/\r+$/, '');
  const cr = text.lastIndexOf('\r');
  return cr < 0 ? text : text.slice(cr + 1);
}

/**
 * Folds StatusResponses into vertexes (keyed by digest: the same vertex arrives several times)
 * and log lines. Log chunks do not end at line breaks, so bytes are buffered per vertex and
 * stream until a newline arrives (or the vertex completes).
 */
export class Trace {
  readonly vertexes = new Map<string, Vertex>();
  private readonly lines = new Map<string, string[]>();
  private readonly partial = new Map<string, Buffer>();
  private readonly done = new Set<string>();
  private readonly startSeen = new Set<string>();

  /** Applies one StatusResponse and returns the events it causes, in order. */
  update(s: StatusResponse): BuildEvent[] {
    const events: BuildEvent[] = [];
    for (const u of s.vertexes) {
      const v = this.vertexes.get(u.digest) ?? { digest: u.digest, name: u.name, cached: false };
      v.name = u.name || v.name;
      v.cached ||= u.cached;
      v.started ??= toMs(u.started);
      v.completed = toMs(u.completed) ?? v.completed;
      if (u.error) v.error = u.error;
      this.vertexes.set(u.digest, v);
      if ((v.started !== undefined || v.cached) && !this.startSeen.has(v.digest)) {
        this.startSeen.add(v.digest);
        events.push({ type: 'step-start', name: v.name });
      }
    }
    // Logs before completions: a vertex's last output often comes in the message that completes it.
    for (const l of s.logs) events.push(...this.addLog(l.vertex, l.stream === 2 ? 'stderr' : 'stdout', Buffer.from(l.msg), false));
    for (const w of s.warnings) {
      const v = this.vertexes.get(w.vertex);
      events.push({ type: 'warning', name: v?.name ?? w.vertex, message: Buffer.from(w.short).toString('utf8') });
    }
    for (const u of s.vertexes) {
      const v = this.vertexes.get(u.digest)!;
      if (v.completed === undefined || this.done.has(v.digest)) continue;
      this.done.add(v.digest);
      events.push(...this.flush(v.digest));
      events.push({ type: 'step-done', name: v.name, cached: v.cached, ...(v.error ? { error: v.error } : {}), durationMs: durationMs(v) });
    }
    return events;
  }

  /** Flushes every unterminated log line; call once the response has ended. */
  finish(): BuildEvent[] {
    return [...this.vertexes.keys()].flatMap((d) => this.flush(d));
  }

  /** The (last KEEP_LINES) log lines of a vertex, stdout and stderr in arrival order. */
  logLines(digest: string): string[] {
    return this.lines.get(digest) ?? [];
  }

  /** The vertex that failed the build: errors saying "context canceled" are its casualties. */
  failed(): Vertex | undefined {
    const errored = [...this.vertexes.values()].filter((v) => v.error);
    return errored.find((v) => !/context canceled/.test(v.error!)) ?? errored[0];
  }

  /** The most recently started vertex that has not completed (what a timeout interrupted). */
  running(): Vertex | undefined {
    return [...this.vertexes.values()].filter((v) => v.started !== undefined && v.completed === undefined).pop();
  }

  private addLog(digest: string, stream: 'stdout' | 'stderr', bytes: Buffer, final: boolean): BuildEvent[] {
    const key = `${digest} ${stream}`;
    let buf = Buffer.concat([this.partial.get(key) ?? Buffer.alloc(0), bytes]);
    const events: BuildEvent[] = [];
    // Split on bytes, not characters: a chunk may end inside a multi-byte UTF-8 character.
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      events.push(this.addLine(digest, stream, buf.subarray(0, nl).toString('utf8')));
      buf = buf.subarray(nl + 1);
    }
    if (final && buf.length) {
      events.push(this.addLine(digest, stream, buf.toString('utf8')));
      buf = Buffer.alloc(0);
    }
    if (buf.length) this.partial.set(key, buf);
    else this.partial.delete(key);
    return events;
  }

  private addLine(digest: string, stream: 'stdout' | 'stderr', raw: string): BuildEvent {
    const line = visible(raw);
    const lines = this.lines.get(digest) ?? [];
    lines.push(line);
    if (lines.length > KEEP_LINES) lines.shift();
    this.lines.set(digest, lines);
    return { type: 'log', name: this.vertexes.get(digest)?.name ?? digest, stream, line };
  }

  private flush(digest: string): BuildEvent[] {
    return (['stdout', 'stderr'] as const).flatMap((s) => this.addLog(digest, s, Buffer.alloc(0), true));
  }
}

export function durationMs(v: Vertex): number {
  return v.started !== undefined && v.completed !== undefined ? Math.max(0, v.completed - v.started) : 0;
}

/** One parsed line of the `/build` response. */
export type ResponseLine =
  | { kind: 'trace'; status: StatusResponse }
  | { kind: 'image'; id: string }
  | { kind: 'error'; message: string }
  /** Plain text: the classic builder's output, or messages outside BuildKit's trace. */
  | { kind: 'stream'; text: string }
  | { kind: 'other' };

/** Classifies one JSON line of the `/build` response. */
export function parseResponseLine(line: string): ResponseLine {
  const m = JSON.parse(line) as { id?: string; aux?: unknown; stream?: string; error?: string; errorDetail?: { message?: string } };
  if (m.errorDetail || m.error) return { kind: 'error', message: m.errorDetail?.message || m.error || 'build failed' };
  if (m.id === 'moby.buildkit.trace' && typeof m.aux === 'string') return { kind: 'trace', status: decodeStatus(m.aux) };
  // BuildKit sends `{"id":"moby.image.id","aux":{"ID":...}}`, the classic builder `{"aux":{"ID":...}}`.
  const aux = m.aux as { ID?: unknown } | undefined;
  if (aux && typeof aux === 'object' && typeof aux.ID === 'string') return { kind: 'image', id: aux.ID };
  if (typeof m.stream === 'string') return { kind: 'stream', text: m.stream };
  return { kind: 'other' };
}
