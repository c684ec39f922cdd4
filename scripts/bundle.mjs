#!/usr/bin/env node
// Bundles the CLI into dist/cli.mjs with esbuild, so that start-up loads a few files instead of
// ~280 packages. Code splitting keeps each subcommand's heavy dependencies (Yeoman for scaffolding,
// dockerode/protobufjs/tar-stream/execa for verify, yaml for update/migrate) in chunks that load
// only when that subcommand runs. Templates are read from templates/ at run time (src/paths.ts).
// BUNDLE_META=FILE writes esbuild's metafile (what went into which chunk).
import { build } from 'esbuild';
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
rmSync(join(out, 'cli.mjs'), { force: true });
rmSync(join(out, 'chunks'), { recursive: true, force: true });

// Some CommonJS dependencies require() Node built-ins or use __dirname/__filename: give them what
// CommonJS would have had (define only replaces free references, so modules that declare their own
// __dirname keep it; import.meta.dirname needs Node 20.11).
const banner = "import { createRequire as __cpdCreateRequire } from 'node:module'; const require = __cpdCreateRequire(import.meta.url);";
const define = { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' };

// Code paths we never take, replaced so that their dependencies stay out of the bundle (a call
// throws): fly-import installs generators from npm (npm's arborist, pacote, sigstore: a third of the
// Yeoman chunk; we register ours by class), latest-version asks the registry
// (generator.addDependencies), @inquirer/external-editor serves the `editor` prompt (iconv-lite,
// chardet), normalize-package-data is for read-pkg's `normalize: true` (Yeoman passes false) and
// builds SPDX tables when loaded, simple-git serves generator.simpleGit and generator.user.git.
// dockerode's ./session is a gRPC BuildKit session for its buildImage (gRPC: 600 KB); verify posts
// /build through docker-modem itself (src/engine/build.ts).
const no = "const no = () => { throw new Error('create-pio-docker: not included in this build'); };";
const STUBS = {
  'fly-import': `${no} export class FlyRepository { constructor(c) { this.repositoryPath = c.repositoryPath; } install() { no(); } }
    export const flyImport = no;`,
  'latest-version': `${no} export default no;`,
  '@inquirer/external-editor': `${no} export const edit = no; export const editAsync = no;`,
  'normalize-package-data': `${no} export default no;`,
  'dockerode-session': `module.exports = () => { throw new Error('create-pio-docker: not included in this build'); };`,
  'simple-git': `${no} export const simpleGit = no; export const CheckRepoActions = {}; export const CleanOptions = {};`,
};

// Source edits, each [file in node_modules/ (not a nested copy), text, replacement]; the build fails
// when a text is not found (a dependency changed). Yeoman reads its own package.json next to its modules at load
// time: that file is not next to the bundle, so put {name, version} in the code. string-width makes
// an Intl.Segmenter (~10 ms) when loaded: make it on first use. The generator's `this._` is all of
// lodash (250 KB, nobody here uses it).
const pkgOf = (name) => {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
  return `(${JSON.stringify({ name, version })})`;
};
const lazySegmenter = 'let segmenter_; const segmenter = { segment: (s) => (segmenter_ ??= new Intl.Segmenter()).segment(s) };';
const EDITS = [
  ['yeoman-generator/dist/generator.js', "JSON.parse(readFileSync(pathJoin(_dirname, '../package.json'), 'utf8'))", pkgOf('yeoman-generator')],
  ['yeoman-environment/dist/module-lookup.js', "JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json')).toString())", pkgOf('yeoman-environment')],
  ['yeoman-environment/dist/environment-base.js', "require('../package.json')", pkgOf('yeoman-environment')],
  ['yeoman-generator/dist/generator.js', "import * as _ from 'lodash-es';", 'const _ = undefined;'],
  ['string-width/index.js', 'const segmenter = new Intl.Segmenter();', lazySegmenter],
];

const trim = {
  name: 'trim',
  setup(b) {
    const names = new RegExp(`^(${Object.keys(STUBS).join('|')})$`);
    b.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'stub' }));
    b.onResolve({ filter: /^\.\/session$/ }, (args) => (args.importer === join(root, 'node_modules/dockerode/lib/docker.js') ? { path: 'dockerode-session', namespace: 'stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
    // rxjs's "node" export is CommonJS: all of it runs when loaded. Its ES build can be tree-shaken.
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: join(root, 'node_modules/rxjs/dist/esm/index.js') }));
    const files = new RegExp(`[\\\\/]node_modules[\\\\/](${EDITS.map(([f]) => f.replace(/[.]/g, '\\.')).join('|')})$`);
    const seen = new Set();
    b.onLoad({ filter: files }, (args) => {
      // esbuild hands real paths: node_modules may be a link (a git worktree's).
      const edits = EDITS.filter(([file]) => args.path === join(realpathSync(join(root, 'node_modules')), file));
      if (edits.length === 0) return undefined;
      let src = readFileSync(args.path, 'utf8');
      for (const [file, from, to] of edits) {
        if (!src.includes(from)) throw new Error(`${args.path}: expected to find ${from}`);
        src = src.replace(from, to);
        seen.add(file);
      }
      return { contents: src, loader: 'js' };
    });
    b.onEnd((r) => {
      const missing = EDITS.filter(([f]) => !seen.has(f)).map(([f]) => f);
      if (r.errors.length === 0 && missing.length) throw new Error(`bundle: not bundled any more, drop the edit: ${missing.join(', ')}`);
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.17',
  // Node 20 has these. esbuild would lower such regex literals to new RegExp(...), which V8 compiles
  // at load time (~20 ms for string-width's /v ones) instead of on first use.
  supported: { 'regexp-set-notation': true, 'regexp-unicode-property-escapes': true },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Optional native add-ons of ssh2 (docker over SSH): their loaders catch the failure.
  external: ['*.node'],
  banner: { js: banner },
  define,
  plugins: [trim],
  legalComments: 'none',
  minifyWhitespace: process.env.BUNDLE_READABLE !== '1',
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
});

if (process.env.BUNDLE_META) writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundle: dist/cli.mjs + ${Object.keys(result.metafile.outputs).length - 1} chunks, ${(bytes / 1024).toFixed(0)} KiB`);
