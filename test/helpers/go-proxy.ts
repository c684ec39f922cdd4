// A Go module proxy (the GOPROXY protocol: /MODULE/@v/list, .info, .mod, .zip) on 127.0.0.1,
// serving modules made here, because the tests reach no proxy.golang.org. Containers reach it with
// host networking. It counts what it served, and goSum gives the go.sum lines (dirhash h1:), so a
// test needs no `go mod tidy`.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface GoModule {
  path: string;
  version: string;
  /** Files of the module by path relative to its root; go.mod is required. */
  files: Record<string, string>;
}

export interface GoProxy {
  /** http://127.0.0.1:PORT : pass as GOPROXY. */
  url: string;
  /** Requests for .zip files, per `path@version`. */
  zips: Map<string, number>;
  close(): Promise<void>;
}

/** The module path as the proxy protocol escapes it: an upper-case letter is `!` + lower case. */
const escapePath = (p: string) => p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/** A zip of `entries`, stored (no compression), as Go's module zips may be. */
export function zip(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** golang.org/x/mod/sumdb/dirhash Hash1 of files (name -> content). */
function hash1(files: [string, Buffer][]): string {
  const summary = [...files]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, data]) => `${createHash('sha256').update(data).digest('hex')}  ${name}\n`)
    .join('');
  return `h1:${createHash('sha256').update(summary).digest('base64')}`;
}

const zipEntries = (m: GoModule): [string, Buffer][] => Object.entries(m.files).map(([p, c]) => [`${m.path}@${m.version}/${p}`, Buffer.from(c)]);

/** The two go.sum lines of a module (its files' hash and its go.mod's). */
export function goSum(m: GoModule): string {
  return `${m.path} ${m.version} ${hash1(zipEntries(m))}\n${m.path} ${m.version}/go.mod ${hash1([['go.mod', Buffer.from(m.files['go.mod'])]])}\n`;
}

export async function startGoProxy(modules: GoModule[]): Promise<GoProxy> {
  const zips = new Map<string, number>();
  const routes = new Map<string, { body: Buffer; key?: string }>();
  for (const m of modules) {
    if (m.files['go.mod'] === undefined) throw new Error(`${m.path}: no go.mod`);
    const base = `/${escapePath(m.path)}/@v/`;
    const versions = modules.filter((x) => x.path === m.path).map((x) => x.version);
    routes.set(`${base}list`, { body: Buffer.from(`${versions.join('\n')}\n`) });
    routes.set(`${base}${m.version}.info`, { body: Buffer.from(JSON.stringify({ Version: m.version, Time: '2024-01-01T00:00:00Z' })) });
    routes.set(`${base}${m.version}.mod`, { body: Buffer.from(m.files['go.mod']) });
    routes.set(`${base}${m.version}.zip`, { body: zip(zipEntries(m)), key: `${m.path}@${m.version}` });
  }
  const server = createServer((req, res) => {
    const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!route) {
      // 404 and 410 make Go try the next proxy in the list, or fail with "not found".
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (route.key) zips.set(route.key, (zips.get(route.key) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': route.body.length });
    res.end(req.method === 'HEAD' ? undefined : route.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    zips,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A small dependency the Go fixture's tests add (served by startGoProxy). */
export const GREETING: GoModule = {
  path: 'example.org/greeting',
  version: 'v1.0.0',
  files: { 'go.mod': 'module example.org/greeting\n\ngo 1.19\n', 'greeting.go': 'package greeting\n\n// Word is a greeting.\nconst Word = "hi"\n' },
};

/** Makes the Go module in `dir` (the go-deb fixture) require `m` from cmd/a, with its go.sum lines. */
export function requireModule(dir: string, m: GoModule): void {
  writeFileSync(join(dir, 'go.mod'), `${readFileSync(join(dir, 'go.mod'), 'utf8')}\nrequire ${m.path} ${m.version}\n`);
  writeFileSync(join(dir, 'go.sum'), goSum(m));
  writeFileSync(join(dir, 'cmd', 'a', 'dep.go'), `package main\n\nimport _ "${m.path}"\n`);
}
