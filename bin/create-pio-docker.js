#!/usr/bin/env node
import { main } from '../dist/cli.mjs';

// `create-pio-docker ... | head`: a reader that stops early is not an error, and must not cut the
// run short (the run finishes, its files complete, its exit code kept); later output is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
