#!/usr/bin/env node
// The build (dist/, made by `npm run build`, and by `npm pack` through prepack) is not in git: a
// clone run before building says so in one line instead of a module-loader stack.
let main;
try {
  ({ main } = await import('../dist/cli.mjs'));
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  const root = new URL('..', import.meta.url).pathname;
  process.stderr.write(`error: create-pio-docker is not built (${e.message.split('\n')[0]}): run \`npm ci && npm run build\` in ${root}\n`);
  process.exit(1);
}

// `create-pio-docker ... | head`: a reader that stops early is not an error, and must not cut the
// run short (the run finishes, its files complete, its exit code kept); later output is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
