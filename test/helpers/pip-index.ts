// A PEP 503 "simple" package index on 127.0.0.1, serving local wheels to pip (on the host, or in
// a container run with --network host), because the tests reach no PyPI.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';

export interface PipIndex {
  /** e.g. http://127.0.0.1:PORT/simple/ : pass to pip as --index-url or PIP_INDEX_URL */
  url: string;
  /** Requests answered, and those refused for want of the credentials (with `auth`). */
  served: { ok: number; refused: number };
  close(): Promise<void>;
}

/** Ports 20000-29999 (below Linux's ephemeral range) are picked from the served content. */
const CONTENT_PORT_BASE = 20000;
const CONTENT_PORT_RANGE = 10000;
/** PEP 503 name normalisation. */
const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const page = (title: string, links: string[]) =>
  `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${escape(title)}</title></head><body>\n${links.join('<br>\n')}\n</body></html>\n`;

/** Serves the given wheel files, or every .whl / .tar.gz in a folder, on a port derived from their content. */
export async function startPipIndex(wheels: string[] | string, opts: { auth?: string } = {}): Promise<PipIndex> {
  const paths = typeof wheels === 'string'
    ? readdirSync(wheels).filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz')).map((f) => join(wheels, f))
    : wheels;
  // file name -> bytes + sha256; project -> file names (the project is the part before the first '-')
  const files = new Map<string, { data: Buffer; sha256: string }>();
  const projects = new Map<string, string[]>();
  for (const path of paths) {
    const name = basename(path);
    const data = readFileSync(path);
    files.set(name, { data, sha256: createHash('sha256').update(data).digest('hex') });
    const project = normalize(name.split('-')[0]);
    projects.set(project, [...(projects.get(project) ?? []), name]);
  }

  const served = { ok: 0, refused: 0 };
  const server = createServer((req, res) => {
    // `auth` ("user:password"): like a private index, 401 without HTTP basic auth of exactly that.
    if (opts.auth !== undefined && req.headers.authorization !== `Basic ${Buffer.from(opts.auth).toString('base64')}`) {
      served.refused++;
      return res.writeHead(401, { 'www-authenticate': 'Basic realm="index"' }).end();
    }
    served.ok++;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, body: string | Buffer, type = 'text/html; charset=utf-8', headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/simple' || path === '/') return res.writeHead(301, { location: '/simple/' }).end();
    if (path === '/simple/') return send(200, page('Simple index', [...projects.keys()].map((p) => `<a href="/simple/${p}/">${p}</a>`)));
    const project = path.match(/^\/simple\/([^/]+)\/?$/)?.[1];
    if (project !== undefined) {
      // PEP 503: non-normalised names redirect to the normalised URL.
      if (normalize(project) !== project || !path.endsWith('/')) return res.writeHead(301, { location: `/simple/${normalize(project)}/` }).end();
      const names = projects.get(project);
      if (!names) return send(404, 'not found\n', 'text/plain');
      return send(200, page(`Links for ${project}`, names.map((n) => `<a href="/files/${encodeURIComponent(n)}#sha256=${files.get(n)!.sha256}">${escape(n)}</a>`)));
    }
    const file = path.startsWith('/files/') ? files.get(path.slice('/files/'.length)) : undefined;
    // Files never change under their name: cacheable as PyPI's are, so pip's HTTP cache keeps them.
    if (file) return send(200, file.data, 'application/octet-stream', { 'cache-control': 'max-age=365000000, immutable, public' });
    send(404, 'not found\n', 'text/plain');
  });
  // The port is derived from what is served, so the URL (passed to builds as the PIP_INDEX_URL
  // build arg) changes with the wheels' content: BuildKit caches `RUN pip install platformio==X`
  // by its text and build args, not by what the index serves, and a changed stand-in wheel with
  // the same version must not hide behind a cached layer. Same wheels, same URL: the layer is
  // reused. A port in use (another suite serving the same wheels) falls back to a random one.
  const digest = createHash('sha256');
  for (const name of [...files.keys()].sort()) digest.update(`${name}\0${files.get(name)!.sha256}\n`);
  const preferred = CONTENT_PORT_BASE + (digest.digest().readUInt32BE(0) % CONTENT_PORT_RANGE);
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    await listen(preferred);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
