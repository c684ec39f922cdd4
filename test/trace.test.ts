// The BuildKit progress decoder on progress RECORDED from Docker Engine 20.10 (`POST
// /build?version=2`, raw response lines as they came). The fixtures came from these builds:
//  build.jsonl   FROM cpd-test/debian:bookworm; COPY hello.txt; a RUN printing to stdout and
//                stderr with sleeps between printf's (output split mid-line and mid-UTF-8
//                character, last line without newline); a RUN with --mount=type=cache (nocache)
//  cached.jsonl  the same build again: everything CACHED
//  fail.jsonl    two stages in parallel: `RUN sleep 20` and a RUN printing 19 lines then `exit 3`
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeStatus, parseResponseLine, Trace, durationMs, type BuildEvent, type Vertex } from '../src/engine/trace.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/trace/${name}.jsonl`, import.meta.url), 'utf8').split('\n').filter(Boolean);

function replay(lines: string[]) {
  const trace = new Trace();
  const events: BuildEvent[] = [];
  let imageId: string | undefined;
  let error: string | undefined;
  for (const line of lines) {
    const r = parseResponseLine(line);
    if (r.kind === 'trace') events.push(...trace.update(r.status));
    else if (r.kind === 'image') imageId = r.id;
    else if (r.kind === 'error') error = r.message;
  }
  events.push(...trace.finish());
  const byName = (prefix: string): Vertex => {
    const found = [...trace.vertexes.values()].filter((v) => v.name.startsWith(prefix));
    assert.is(found.length, 1, `one vertex named ${prefix}…`);
    return found[0];
  };
  return { trace, events, imageId, error, byName };
}

const RUN_LOGS = '[stage-0 3/4] RUN echo first line';
const RUN_CACHE = '[stage-0 4/4] RUN --mount=type=cache';

test('build: one vertex per digest although each arrives several times', () => {
  const lines = fixture('build');
  const { trace } = replay(lines);
  const mentions = lines.filter((l) => parseResponseLine(l).kind === 'trace').flatMap((l) => (parseResponseLine(l) as { status: { vertexes: { digest: string }[] } }).status.vertexes.map((v) => v.digest));
  assert.ok(mentions.length > trace.vertexes.size * 2, 'the recording repeats vertexes');
  assert.equal(
    [...trace.vertexes.values()].map((v) => v.name.replace(/ RUN .*/, ' RUN')),
    ['[internal] load remote build context', 'copy /context /', '[internal] load metadata for docker.io/cpd-test/debian:bookworm', '[stage-0 1/4] FROM docker.io/cpd-test/debian:bookworm', '[stage-0 2/4] COPY hello.txt /hello.txt', '[stage-0 3/4] RUN', '[stage-0 4/4] RUN', 'exporting to image'],
  );
  for (const v of trace.vertexes.values()) {
    assert.ok(v.started !== undefined && v.completed !== undefined, `${v.name} started and completed`);
    assert.is(v.error, undefined);
  }
});

test('build: cached flags and durations from the vertex timestamps', () => {
  const { byName } = replay(fixture('build'));
  // A local base image is "cached"; the nocache build runs everything else.
  assert.is(byName('[stage-0 1/4] FROM').cached, true);
  for (const n of ['[stage-0 2/4] COPY', RUN_LOGS, RUN_CACHE]) assert.is(byName(n).cached, false, n);
  const run = byName(RUN_LOGS);
  assert.is(durationMs(run), run.completed! - run.started!);
  // The RUN sleeps 3 × 0.3 s.
  assert.ok(durationMs(run) >= 900 && durationMs(run) < 10_000, `duration ${durationMs(run)}`);
});

test('build: log chunks reassembled into lines per vertex and stream', () => {
  const lines = fixture('build');
  // The recording really splits lines (and a UTF-8 character) across messages.
  const chunks = lines.map((l) => parseResponseLine(l)).flatMap((r) => (r.kind === 'trace' ? r.status.logs : [])).map((l) => Buffer.from(l.msg));
  assert.ok(chunks.some((c) => c.toString('latin1').endsWith('split-')));
  assert.ok(chunks.some((c) => c[c.length - 1] === 0xc3), 'a chunk ends inside "é"');

  const { events, trace, byName } = replay(lines);
  const logs = (name: string, stream: string) => events.filter((e) => e.type === 'log' && e.name.startsWith(name) && e.stream === stream).map((e) => (e as { line: string }).line);
  assert.equal(logs(RUN_LOGS, 'stdout'), ['first line', 'second line', 'split-across-chunks', 'café ok', 'no newline at end']);
  assert.equal(logs(RUN_LOGS, 'stderr'), ['to stderr']);
  assert.equal(trace.logLines(byName(RUN_LOGS).digest).sort(), ['café ok', 'first line', 'no newline at end', 'second line', 'split-across-chunks', 'to stderr']);
  // The cache mount starts empty in a fresh cache: one line counted.
  assert.equal(logs(RUN_CACHE, 'stdout'), ['1']);
});

test('build: events start before done, once per vertex, logs inside their step', () => {
  const { events, trace } = replay(fixture('build'));
  for (const v of trace.vertexes.values()) {
    const idx = (type: string) => events.flatMap((e, i) => (e.type === type && e.name === v.name ? [i] : []));
    assert.is(idx('step-start').length, 1, `${v.name} started once`);
    assert.is(idx('step-done').length, 1, `${v.name} done once`);
    assert.ok(idx('step-start')[0] < idx('step-done')[0]);
    for (const l of idx('log')) assert.ok(idx('step-start')[0] < l && l < idx('step-done')[0], `${v.name} log inside the step`);
  }
  const done = events.find((e) => e.type === 'step-done' && e.name.startsWith(RUN_LOGS));
  assert.equal(done && done.type === 'step-done' && [done.cached, done.error, done.durationMs >= 900], [false, undefined, true]);
});

test('build and cached: the image id line; identical builds give the same image', () => {
  const a = replay(fixture('build'));
  const b = replay(fixture('cached'));
  assert.match(a.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.is(b.imageId, a.imageId);
  assert.is(a.error, undefined);
});

test('cached: every Dockerfile step after FROM is CACHED', () => {
  const { byName, events } = replay(fixture('cached'));
  for (const n of ['[stage-0 2/4] COPY', RUN_LOGS, RUN_CACHE]) {
    assert.is(byName(n).cached, true, n);
    assert.ok(events.some((e) => e.type === 'step-done' && e.name.startsWith(n) && e.cached));
  }
  assert.is(byName('exporting to image').cached, false);
  assert.not.ok(events.some((e) => e.type === 'log'), 'cached steps print nothing');
});

test('fail: the error line, the failing vertex and its log tail', () => {
  const { error, trace, events, imageId } = replay(fixture('fail'));
  assert.is(imageId, undefined);
  assert.match(error ?? '', /exit code: 3$/);
  const failed = trace.failed()!;
  assert.is(failed.name, "[stage-1 2/3] RUN echo before failing; seq -f 'fail line %g' 18; sleep 1; exit 3");
  assert.match(failed.error!, /exit code: 3/);
  assert.equal(trace.logLines(failed.digest), ['before failing', ...Array.from({ length: 18 }, (_, i) => `fail line ${i + 1}`)]);
  assert.equal(trace.logLines(failed.digest).slice(-15), Array.from({ length: 15 }, (_, i) => `fail line ${i + 4}`));
  // The parallel stage was cancelled by the failure; the step after the failure never started.
  const slow = [...trace.vertexes.values()].find((v) => v.name === '[slow 2/2] RUN sleep 20')!;
  assert.match(slow.error!, /context canceled/);
  const copy = [...trace.vertexes.values()].find((v) => v.name.startsWith('[stage-1 3/3] COPY'))!;
  assert.equal([copy.started, copy.completed], [undefined, undefined]);
  assert.not.ok(events.some((e) => e.type === 'step-start' && e.name === copy.name));
  const done = events.find((e) => e.type === 'step-done' && e.name === failed.name);
  assert.ok(done?.type === 'step-done' && done.error === failed.error);
});

test('fail: the cancelled vertex is not blamed even when its error arrives first', () => {
  const lines = fixture('fail');
  const n = lines.findIndex((l) => parseResponseLine(l).kind === 'trace' && decodeStatus(JSON.parse(l).aux).vertexes.some((v) => v.error.includes('exit code: 3')));
  const reordered = [...lines];
  [reordered[n], reordered[n + 1]] = [reordered[n + 1], reordered[n]];
  assert.match(decodeStatus(JSON.parse(reordered[n]).aux).vertexes[0].error, /context canceled/);
  assert.match(replay(reordered).trace.failed()!.name, /exit 3$/);
});

test('decodeStatus: fields of newer engines (progressGroup, warnings, unknown) are skipped or read', () => {
  // Hand-encoded StatusResponse: a vertex with progressGroup (8) and an unknown field (99),
  // a warning (4) with a source info (6) the trimmed schema does not know.
  const w = protobuf.Writer.create();
  const vertex = protobuf.Writer.create();
  vertex.uint32((1 << 3) | 2).string('sha256:abc');
  vertex.uint32((3 << 3) | 2).string('[1/2] RUN x');
  vertex.uint32((4 << 3) | 0).bool(true);
  vertex.uint32((8 << 3) | 2).fork().uint32((1 << 3) | 2).string('group').ldelim();
  vertex.uint32((99 << 3) | 0).uint32(7);
  w.uint32((1 << 3) | 2).bytes(vertex.finish());
  const warning = protobuf.Writer.create();
  warning.uint32((1 << 3) | 2).string('sha256:abc');
  warning.uint32((3 << 3) | 2).bytes(Buffer.from('FromAsCasing: mixed case'));
  warning.uint32((6 << 3) | 2).fork().uint32((1 << 3) | 2).string('Dockerfile').ldelim();
  w.uint32((4 << 3) | 2).bytes(warning.finish());
  const s = decodeStatus(Buffer.from(w.finish()).toString('base64'));
  assert.equal(s.vertexes.map((v) => [v.digest, v.name, v.cached, v.error]), [['sha256:abc', '[1/2] RUN x', true, '']]);
  const trace = new Trace();
  const events = trace.update(s);
  assert.equal(events, [
    { type: 'step-start', name: '[1/2] RUN x' },
    { type: 'warning', name: '[1/2] RUN x', message: 'FromAsCasing: mixed case' },
  ]);
});

test('Trace: carriage-return progress keeps what a terminal shows', () => {
  const trace = new Trace();
  const log = (msg: string) => ({ vertexes: [], statuses: [], warnings: [], logs: [{ vertex: 'sha256:v', stream: 1, msg: Buffer.from(msg) }] });
  trace.update({ vertexes: [{ digest: 'sha256:v', inputs: [], name: 'RUN pip', cached: false, error: '', started: { seconds: 1, nanos: 0 } }], statuses: [], logs: [], warnings: [] });
  trace.update(log(' 10%\r 50%\r'));
  trace.update(log('100%\r\nnext\r\n'));
  assert.equal(trace.logLines('sha256:v'), ['100%', 'next']);
});

test('parseResponseLine: classic builder output and image ids', () => {
  assert.equal(parseResponseLine('{"stream":"Step 1/2 : FROM x\\n"}'), { kind: 'stream', text: 'Step 1/2 : FROM x\n' });
  assert.equal(parseResponseLine('{"aux":{"ID":"sha256:0123"}}'), { kind: 'image', id: 'sha256:0123' });
  assert.equal(parseResponseLine('{"error":"boom"}'), { kind: 'error', message: 'boom' });
  assert.equal(parseResponseLine('{"status":"Downloading"}'), { kind: 'other' });
});

test.run();
